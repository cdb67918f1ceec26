// ZIP writing over libzip 1.7.3. Spec: PKWARE APPNOTE.TXT 6.3.x.
#include "io/zip_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include <libdeflate.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "io/safe_path.hpp"
#include "io/zip_detail.hpp"

namespace dossier::io {

using zip_detail::entry_prefix;
using zip_detail::errc_from_libzip;
using zip_detail::libzip_message;
using zip_detail::printable;

std::uint32_t crc32_update(std::uint32_t crc, std::span<const std::uint8_t> data) noexcept {
  // libdeflate's CRC-32 is the same polynomial and running-value convention (the CRC of the
  // whole equals the chain of its parts, from 0).
  return ::libdeflate_crc32(crc, data.data(), data.size());
}

// ---- The canonical stored archive ----

namespace stored_zip {
namespace {

constexpr std::uint16_t kVersionNeeded = 10;      // 1.0: stored files (APPNOTE 4.4.3.2)
constexpr std::uint16_t kVersionMadeBy = 0x0314;  // Unix (3), APPNOTE 2.0 (4.4.2)
constexpr std::uint16_t kDosTime = 0;             // 00:00:00 (4.4.6)
constexpr std::uint16_t kDosDate = ((2000 - 1980) << 9) | (1 << 5) | 1;  // 2000-01-01
constexpr std::uint32_t kExternalAttributes = 0100644u << 16;  // regular file, rw-r--r--
constexpr std::uint64_t kMaxMembers = 0xFFFE;

void put16(std::vector<std::uint8_t>& out, std::uint64_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
}
void put32(std::vector<std::uint8_t>& out, std::uint64_t v) {
  put16(out, v & 0xFFFF);
  put16(out, (v >> 16) & 0xFFFF);
}

// Version needed .. name length: the part local and central headers share (4.3.7 / 4.3.12).
void put_common(std::vector<std::uint8_t>& out, const Member& m) {
  put16(out, kVersionNeeded);
  put16(out, 0);  // general-purpose flags: no encryption, no data descriptor, no UTF-8 flag
  put16(out, 0);  // method: stored
  put16(out, kDosTime);
  put16(out, kDosDate);
  put32(out, m.crc);
  put32(out, m.size);  // compressed size: stored
  put32(out, m.size);
  put16(out, m.name.size());
}

void put_name(std::vector<std::uint8_t>& out, const std::string& name) {
  out.insert(out.end(), name.begin(), name.end());
}

Result<void> check_name(const std::string& name) {
  std::string why;
  if (!is_safe_relative_path(name, kDefaultMaxPathDepth, kDefaultMaxPathLength, &why)) {
    return fail(Errc::usage, entry_prefix(printable(name)) + why);
  }
  for (char c : name) {
    if (c < 0x20 || c > 0x7E) return fail(Errc::usage, entry_prefix(printable(name)) + "not printable ASCII");
  }
  if (name.back() == '/') return fail(Errc::usage, entry_prefix(name) + "a file name cannot end in '/'");
  return {};
}

Result<void> check_fits(const std::string& what, std::uint64_t value) {
  if (value > kMaxField) return fail(Errc::limit, what + " would need ZIP64 (4 GiB or more)");
  return {};
}

}  // namespace

std::vector<std::uint8_t> local_header(const Member& m) {
  std::vector<std::uint8_t> out;
  out.reserve(kLocalHeaderSize + m.name.size());
  put32(out, 0x04034B50u);
  put_common(out, m);
  put16(out, 0);  // extra field length
  put_name(out, m.name);
  return out;
}

std::vector<std::uint8_t> central_header(const Member& m, std::uint64_t local_offset) {
  std::vector<std::uint8_t> out;
  out.reserve(kCentralHeaderSize + m.name.size());
  put32(out, 0x02014B50u);
  put16(out, kVersionMadeBy);
  put_common(out, m);
  put16(out, 0);  // extra field length
  put16(out, 0);  // comment length
  put16(out, 0);  // disk number start
  put16(out, 0);  // internal attributes
  put32(out, kExternalAttributes);
  put32(out, local_offset);
  put_name(out, m.name);
  return out;
}

std::vector<std::uint8_t> end_record(std::size_t count, std::uint64_t directory_offset, std::uint64_t directory_size) {
  std::vector<std::uint8_t> out;
  out.reserve(kEndRecordSize);
  put32(out, 0x06054B50u);
  put16(out, 0);  // this disk
  put16(out, 0);  // the disk with the directory
  put16(out, count);
  put16(out, count);
  put32(out, directory_size);
  put32(out, directory_offset);
  put16(out, 0);  // comment length
  return out;
}

Result<Layout> layout(const std::vector<Member>& members) {
  if (members.size() > kMaxMembers) return fail(Errc::limit, "more than 65534 members would need ZIP64");
  Layout l;
  std::unordered_set<std::string> names;
  std::uint64_t at = 0;
  std::vector<std::uint64_t> local_offsets;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (auto r = check_name(m.name); !r) return tl::unexpected(r.error());
    if (!names.insert(m.name).second) return fail(Errc::usage, entry_prefix(m.name) + "a second member of that name");
    if (auto r = check_fits(entry_prefix(m.name) + "offset", at); !r) return tl::unexpected(r.error());
    if (auto r = check_fits(entry_prefix(m.name) + "size", m.size); !r) return tl::unexpected(r.error());
    local_offsets.push_back(at);
    l.headers.push_back(Header{Part::local_header, i, at, local_header(m)});
    at += l.headers.back().bytes.size();
    l.data_offsets.push_back(at);
    at += m.size;
  }
  const std::uint64_t directory = at;
  if (auto r = check_fits("the central directory's offset", directory); !r) return tl::unexpected(r.error());
  for (std::size_t i = 0; i < members.size(); ++i) {
    l.headers.push_back(Header{Part::central_header, i, at, central_header(members[i], local_offsets[i])});
    at += l.headers.back().bytes.size();
  }
  if (auto r = check_fits("the central directory's size", at - directory); !r) return tl::unexpected(r.error());
  l.headers.push_back(
      Header{Part::end_record, members.size(), at, end_record(members.size(), directory, at - directory)});
  l.size = at + kEndRecordSize;
  return l;
}

std::string field_at(Part part, std::size_t at) {
  struct Field {
    std::size_t end;
    const char* name;
  };
  // Byte ranges [previous end, end) of each field (APPNOTE 4.3.7, 4.3.12, 4.3.16).
  static constexpr Field kLocal[] = {{4, "signature"}, {6, "version needed"}, {8, "general-purpose flags"},
                                     {10, "compression method"}, {12, "time"}, {14, "date"}, {18, "CRC-32"},
                                     {22, "compressed size"}, {26, "size"}, {28, "name length"},
                                     {30, "extra field length"}};
  static constexpr Field kCentral[] = {
      {4, "signature"}, {6, "version made by"}, {8, "version needed"}, {10, "general-purpose flags"},
      {12, "compression method"}, {14, "time"}, {16, "date"}, {20, "CRC-32"}, {24, "compressed size"},
      {28, "size"}, {30, "name length"}, {32, "extra field length"}, {34, "comment length"},
      {36, "disk number"}, {38, "internal attributes"}, {42, "external attributes"},
      {46, "local header offset"}};
  static constexpr Field kEnd[] = {{4, "signature"}, {6, "disk number"}, {8, "directory disk"},
                                   {10, "entries on this disk"}, {12, "entries"}, {16, "directory size"},
                                   {20, "directory offset"}, {22, "comment length"}};
  const std::span<const Field> fields = part == Part::local_header     ? std::span<const Field>(kLocal)
                                        : part == Part::central_header ? std::span<const Field>(kCentral)
                                                                       : std::span<const Field>(kEnd);
  for (const Field& f : fields) {
    if (at < f.end) return f.name;
  }
  return part == Part::end_record ? "comment" : "name";
}

}  // namespace stored_zip

namespace {

// A new file for a writer: O_EXCL (never replaces), no links followed.
Result<int> create_new(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int e = errno;
    return fail(e == EEXIST ? Errc::usage : e == ENOENT ? Errc::not_found : Errc::io,
                path.string() + ": cannot create: " + std::strerror(e));
  }
  return fd;
}

Result<void> pwrite_all(int fd, std::uint64_t offset, std::span<const std::uint8_t> bytes,
                        const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(Errc::io, path.string() + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// The file ends at `size`; fsynced and closed (fd becomes -1), removed if either fails.
Result<void> end_file(int& fd, const std::filesystem::path& path, std::uint64_t size) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return fail(Errc::io, path.string() + ": cannot write: " + std::strerror(errno));
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(std::exchange(fd, -1)) == 0;
  if (!synced || !closed) {
    ::unlink(path.c_str());
    return fail(Errc::io, path.string() + ": cannot write: " + std::strerror(errno));
  }
  return {};
}

}  // namespace

Result<StoredZipWriter> StoredZipWriter::create(const std::filesystem::path& path) {
  auto fd = create_new(path);
  if (!fd) return tl::unexpected(fd.error());
  return StoredZipWriter(*fd, path);
}

StoredZipWriter::StoredZipWriter(StoredZipWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      offset_(other.offset_),
      members_(std::move(other.members_)),
      names_(std::move(other.names_)) {}

StoredZipWriter::~StoredZipWriter() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(path_.c_str());  // never closed: nothing half-written stays behind
}

Result<void> StoredZipWriter::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  return pwrite_all(fd_, offset, bytes, path_);
}

Result<void> StoredZipWriter::claim(const std::string& name) {
  if (fd_ < 0) return fail(Errc::usage, "StoredZipWriter is closed");
  if (auto r = stored_zip::check_name(name); !r) return r;
  if (!names_.insert(name).second) return fail(Errc::usage, entry_prefix(name) + "a second member of that name");
  return {};
}

Result<void> StoredZipWriter::add(const std::string& name, std::span<const std::uint8_t> data) {
  if (auto r = claim(name); !r) return r;
  stored_zip::Member m{name, data.size(), crc32_update(0, data)};
  const auto header = stored_zip::local_header(m);
  if (auto r = stored_zip::check_fits(entry_prefix(name) + "end", offset_ + header.size() + m.size); !r) return r;
  if (auto r = write_at(offset_, header); !r) return r;
  if (auto r = write_at(offset_ + header.size(), data); !r) return r;
  offset_ += header.size() + m.size;
  members_.push_back(std::move(m));
  return {};
}

Result<void> StoredZipWriter::add_copy(const std::string& name, const std::filesystem::path& source,
                                       std::uint64_t size, std::uint32_t crc, std::uint64_t source_offset) {
  if (auto r = claim(name); !r) return r;
  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return fail(errno == ENOENT ? Errc::not_found : Errc::io, source.string() + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{in};
  struct stat sb {};
  if (::fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    return fail(Errc::not_found, source.string() + ": not a regular file");
  }
  const auto have = static_cast<std::uint64_t>(sb.st_size);
  if (source_offset == 0 ? have != size : have < source_offset || have - source_offset < size) {
    return fail(Errc::io, source.string() + ": has " + std::to_string(sb.st_size) + " bytes, not " + std::to_string(size));
  }
  stored_zip::Member m{name, size, crc};
  const auto header = stored_zip::local_header(m);
  const std::uint64_t data_at = offset_ + header.size();
  if (auto r = stored_zip::check_fits(entry_prefix(name) + "end", data_at + size); !r) return r;
  if (auto r = write_at(offset_, header); !r) return r;
  std::uint64_t copied = 0;
  bool kernel_copy = true;
  std::vector<std::uint8_t> buf;
  while (copied < size) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size - copied, 1u << 30));
    if (kernel_copy) {
      auto from = static_cast<off_t>(source_offset + copied);
      auto to = static_cast<off_t>(data_at + copied);
      const auto n = ::copy_file_range(in, &from, fd_, &to, want, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        kernel_copy = false;  // this pair of file systems cannot: read and write
        continue;
      }
      if (n < 0) return fail(Errc::io, path_.string() + ": cannot copy " + source.string() + ": " + std::strerror(errno));
      if (n == 0) break;
      copied += static_cast<std::uint64_t>(n);
      continue;
    }
    buf.resize(256 * 1024);
    const auto n = ::pread(in, buf.data(), std::min(want, buf.size()), static_cast<off_t>(source_offset + copied));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::io, source.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    if (auto r = write_at(data_at + copied, {buf.data(), static_cast<std::size_t>(n)}); !r) return r;
    copied += static_cast<std::uint64_t>(n);
  }
  if (copied != size) return fail(Errc::io, source.string() + ": changed size while it was being copied");
  // Start writing these pages to disk now, while the next member is copied: close()'s fsync then
  // waits for less. Only a hint; fsync reports any failure.
  (void)::sync_file_range(fd_, static_cast<off_t>(data_at), static_cast<off_t>(size), SYNC_FILE_RANGE_WRITE);
  offset_ = data_at + size;
  members_.push_back(std::move(m));
  return {};
}

Result<void> StoredZipWriter::close() {
  if (fd_ < 0) return fail(Errc::usage, "StoredZipWriter is already closed");
  auto l = stored_zip::layout(members_);
  if (!l) return tl::unexpected(l.error());
  // The local headers and data are written (by add() and add_copy(), with the same functions,
  // at the same offsets); the directory and end record follow, and the file ends there.
  for (const auto& h : l->headers) {
    if (h.part == stored_zip::Part::local_header) continue;
    if (auto r = write_at(h.offset, h.bytes); !r) return r;
  }
  return end_file(fd_, path_, l->size);
}

// ---- ZipWriter ----

namespace {

// 2000-01-01 00:00:00 in local time: libzip converts mtimes to DOS time with localtime(),
// so a local-time instant gives the same DOS fields in every time zone.
time_t fixed_mtime() {
  std::tm tm{};
  tm.tm_year = 100;
  tm.tm_mon = 0;
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

Error writer_error(zip_t* za, const std::string& what) {
  zip_error_t* ze = zip_get_error(za);
  return Error{errc_from_libzip(zip_error_code_zip(ze)), what + ": " + zip_error_strerror(ze)};
}

}  // namespace

ZipWriter::ZipWriter(zip* archive, std::filesystem::path path)
    : archive_(archive), path_(std::move(path)) {}

ZipWriter::ZipWriter(ZipWriter&& other) noexcept
    : archive_(std::exchange(other.archive_, nullptr)),
      path_(std::move(other.path_)),
      buffers_(std::move(other.buffers_)),
      keys_(std::move(other.keys_)) {}

ZipWriter& ZipWriter::operator=(ZipWriter&& other) noexcept {
  if (this != &other) {
    if (archive_ != nullptr) zip_discard(archive_);
    archive_ = std::exchange(other.archive_, nullptr);
    path_ = std::move(other.path_);
    buffers_ = std::move(other.buffers_);
    keys_ = std::move(other.keys_);
  }
  return *this;
}

ZipWriter::~ZipWriter() {
  if (archive_ != nullptr) zip_discard(archive_);
}

Result<ZipWriter> ZipWriter::create(const std::filesystem::path& path, bool overwrite) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !overwrite) {
    return fail(Errc::usage, path.string() + ": exists, not overwriting");
  }
  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (za == nullptr) {
    return fail(errc_from_libzip(err), path.string() + ": cannot create: " + libzip_message(err));
  }
  return ZipWriter(za, path);
}

Result<std::string> ZipWriter::claim_name(const std::string& name) {
  if (archive_ == nullptr) return fail(Errc::usage, "ZipWriter is closed");
  auto norm = normalise_entry_name(name);
  if (!norm) return fail(Errc::usage, entry_prefix(printable(name)) + norm.error().message);
  const std::string key = collision_key(*norm);
  if (!keys_.insert(key).second) {
    return fail(Errc::usage, entry_prefix(name) + "duplicate name (ignoring case and Unicode form)");
  }
  return *norm;
}

Result<void> ZipWriter::finish_entry(std::int64_t index, bool deflate, bool directory) {
  const auto i = static_cast<zip_uint64_t>(index);
  const zip_int32_t method = deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
  if (zip_set_file_compression(archive_, i, method, 0) != 0 ||
      zip_file_set_mtime(archive_, i, fixed_mtime(), 0) != 0 ||
      zip_file_set_external_attributes(archive_, i, 0, ZIP_OPSYS_UNIX,
                                       (directory ? 040755u : 0100644u) << 16) != 0) {
    return tl::unexpected(writer_error(archive_, "cannot set entry metadata"));
  }
  return {};
}

Result<void> ZipWriter::add_buffer(std::string name, std::vector<std::uint8_t> data, bool deflate) {
  auto canonical = claim_name(name);
  if (!canonical) return tl::unexpected(canonical.error());
  if (canonical->size() != name.size()) return fail(Errc::usage, entry_prefix(name) + "a file name cannot end in '/'");
  buffers_.push_back(std::move(data));
  const auto& stored = buffers_.back();
  zip_source_t* src = zip_source_buffer(archive_, stored.data(), stored.size(), 0);
  if (src == nullptr) return tl::unexpected(writer_error(archive_, entry_prefix(name) + "cannot add"));
  const zip_int64_t index = zip_file_add(archive_, canonical->c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return tl::unexpected(writer_error(archive_, entry_prefix(name) + "cannot add"));
  }
  return finish_entry(index, deflate, false);
}

Result<void> ZipWriter::add_file(std::string name, const std::filesystem::path& source, bool deflate) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) {
    return fail(Errc::not_found, source.string() + ": not a regular file");
  }
  auto canonical = claim_name(name);
  if (!canonical) return tl::unexpected(canonical.error());
  if (canonical->size() != name.size()) return fail(Errc::usage, entry_prefix(name) + "a file name cannot end in '/'");
  zip_source_t* src = zip_source_file(archive_, source.c_str(), 0, -1);
  if (src == nullptr) return tl::unexpected(writer_error(archive_, source.string()));
  const zip_int64_t index = zip_file_add(archive_, canonical->c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return tl::unexpected(writer_error(archive_, entry_prefix(name) + "cannot add"));
  }
  return finish_entry(index, deflate, false);
}

Result<void> ZipWriter::add_stored(std::string name, std::vector<std::uint8_t> data) {
  return add_buffer(std::move(name), std::move(data), false);
}
Result<void> ZipWriter::add_deflated(std::string name, std::vector<std::uint8_t> data) {
  return add_buffer(std::move(name), std::move(data), true);
}
Result<void> ZipWriter::add_file_stored(std::string name, const std::filesystem::path& source) {
  return add_file(std::move(name), source, false);
}
Result<void> ZipWriter::add_file_deflated(std::string name, const std::filesystem::path& source) {
  return add_file(std::move(name), source, true);
}

Result<void> ZipWriter::add_directory(std::string name) {
  auto canonical = claim_name(name);
  if (!canonical) return tl::unexpected(canonical.error());
  const zip_int64_t index = zip_dir_add(archive_, canonical->c_str(), ZIP_FL_ENC_UTF_8);
  if (index < 0) return tl::unexpected(writer_error(archive_, entry_prefix(name) + "cannot add"));
  return finish_entry(index, false, true);
}

Result<void> ZipWriter::close() {
  if (archive_ == nullptr) return fail(Errc::usage, "ZipWriter is already closed");
  zip_t* za = std::exchange(archive_, nullptr);
  if (zip_close(za) != 0) {
    Error e = writer_error(za, path_.string() + ": cannot write");
    zip_discard(za);
    return tl::unexpected(e);
  }
  buffers_.clear();
  return {};
}

}  // namespace dossier::io

// ---- ReservedStoredZip ----

namespace dossier::io {

Result<ReservedStoredZip> ReservedStoredZip::create(const std::filesystem::path& path, std::uint64_t reserve,
                                                    std::vector<stored_zip::Member> tail) {
  std::vector<std::uint64_t> offsets;
  std::uint64_t at = reserve;
  for (const auto& m : tail) {
    if (auto r = stored_zip::check_name(m.name); !r) return tl::unexpected(r.error());
    at += stored_zip::kLocalHeaderSize + m.name.size();
    if (auto r = stored_zip::check_fits(entry_prefix(m.name) + "offset", at); !r) return tl::unexpected(r.error());
    offsets.push_back(at);
    at += m.size;
    if (auto r = stored_zip::check_fits(entry_prefix(m.name) + "end", at); !r) return tl::unexpected(r.error());
  }
  auto fd = create_new(path);
  if (!fd) return tl::unexpected(fd.error());
  return ReservedStoredZip(*fd, path, reserve, std::move(tail), std::move(offsets));
}

ReservedStoredZip::ReservedStoredZip(ReservedStoredZip&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      reserve_(other.reserve_),
      tail_(std::move(other.tail_)),
      tail_offsets_(std::move(other.tail_offsets_)) {}

ReservedStoredZip::~ReservedStoredZip() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(path_.c_str());  // never finished: nothing half-written stays behind
}

Result<std::size_t> ReservedStoredZip::append(stored_zip::Member m) {
  if (fd_ < 0) return fail(Errc::usage, "ReservedStoredZip is closed");
  if (auto r = stored_zip::check_name(m.name); !r) return tl::unexpected(r.error());
  std::uint64_t at = tail_.empty() ? reserve_ : tail_offsets_.back() + tail_.back().size;
  at += stored_zip::kLocalHeaderSize + m.name.size();
  if (auto r = stored_zip::check_fits(entry_prefix(m.name) + "offset", at); !r) return tl::unexpected(r.error());
  if (auto r = stored_zip::check_fits(entry_prefix(m.name) + "end", at + m.size); !r) return tl::unexpected(r.error());
  tail_offsets_.push_back(at);
  tail_.push_back(std::move(m));
  return tail_.size() - 1;
}

Result<void> ReservedStoredZip::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) const {
  if (fd_ < 0) return fail(Errc::usage, "ReservedStoredZip is closed");
  return pwrite_all(fd_, offset, bytes, path_);
}

Result<void> ReservedStoredZip::write_tail(std::size_t member, std::uint64_t at,
                                           std::span<const std::uint8_t> bytes) const {
  if (member >= tail_.size() || at > tail_[member].size || tail_[member].size - at < bytes.size()) {
    return fail(Errc::usage, "write beyond member " + std::to_string(member) + " of " + path_.string());
  }
  return write_at(tail_offsets_[member] + at, bytes);
}

void ReservedStoredZip::written(std::size_t member) const {
  if (fd_ < 0 || member >= tail_.size()) return;
  (void)::sync_file_range(fd_, static_cast<off_t>(tail_offsets_[member]), static_cast<off_t>(tail_[member].size),
                          SYNC_FILE_RANGE_WRITE);
}

Result<void> ReservedStoredZip::finish(const std::vector<HeadMember>& head, const std::vector<std::uint32_t>& tail_crcs) {
  if (fd_ < 0) return fail(Errc::usage, "ReservedStoredZip is already closed");
  if (tail_crcs.size() != tail_.size()) return fail(Errc::usage, "one CRC-32 per tail member");
  std::vector<stored_zip::Member> members;
  std::uint64_t head_size = 0;
  for (const auto& h : head) {
    members.push_back({h.name, h.data.size(), crc32_update(0, h.data)});
    head_size += stored_member_size(h.name, h.data.size());
  }
  if (head_size != reserve_) {
    return fail(Errc::usage, "the head takes " + std::to_string(head_size) + " bytes, the reserve is " +
                                 std::to_string(reserve_));
  }
  for (std::size_t i = 0; i < tail_.size(); ++i) members.push_back({tail_[i].name, tail_[i].size, tail_crcs[i]});
  auto l = stored_zip::layout(members);
  if (!l) return tl::unexpected(l.error());
  for (std::size_t i = 0; i < tail_.size(); ++i) {
    if (l->data_offsets[head.size() + i] != tail_offsets_[i]) return fail(Errc::internal, "tail offsets moved");
  }
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (auto r = write_at(l->data_offsets[i], head[i].data); !r) return r;
  }
  for (const auto& h : l->headers) {
    if (auto r = write_at(h.offset, h.bytes); !r) return r;
  }
  return end_file(fd_, path_, l->size);
}

}  // namespace dossier::io
