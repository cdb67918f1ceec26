// ZIP writing over libzip 1.7.3. Spec: PKWARE APPNOTE.TXT 6.3.x.
#include "io/zip_writer.hpp"

#include <zip.h>

#include <array>
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
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::uint8_t b : data) crc = table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
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
    return fail(Errc::usage, entry_prefix(name) + "duplicate name (ignoring ASCII case)");
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
