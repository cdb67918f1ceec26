// Hardened ZIP access over libzip 1.7.3. Spec: PKWARE APPNOTE.TXT 6.3.x.
//
// libzip 1.7.3 facts this file works around (found by testing, see docs/zip-safety.md):
// it does not enforce declared entry sizes while reading, reports CRC errors only at the
// end of an entry, lets an overlapping-entry bomb pass ZIP_CHECKCONS, and will happily
// decrypt traditional-PKWARE entries and decompress bzip2/LZMA. So every check that
// matters is made here, against the central directory (APPNOTE 4.3.12) up front and
// against the delivered bytes while reading.
#include "io/zip_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <map>
#include <optional>
#include <system_error>
#include <utility>

#include "io/fd.hpp"
#include "io/safe_path.hpp"
#include "io/zip_detail.hpp"
#include "io/zip_writer.hpp"  // crc32_update

namespace dossier::io {
namespace {

using zip_detail::entry_prefix;
using zip_detail::errc_from_libzip;
using zip_detail::libzip_message;
using zip_detail::printable;

constexpr std::size_t kChunk = 64 * 1024;
// APPNOTE 4.3.7 local file header and 4.3.12 central directory header, fixed parts; 4.3.16
// end of central directory record.
constexpr std::uint64_t kLocalHeaderSize = 30;
constexpr std::uint64_t kCentralHeaderSize = 46;
constexpr std::uint64_t kEndRecordSize = 22;

const char* method_name(std::uint16_t m) {
  switch (m) {
    case 1: return "shrink";
    case 6: return "implode";
    case 9: return "deflate64";
    case 12: return "bzip2";
    case 14: return "LZMA";
    case 93: return "zstd";
    case 95: return "xz";
    case 98: return "PPMd";
    default: return "unknown";
  }
}

std::uint16_t le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t le64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(le32(p)) | (static_cast<std::uint64_t>(le32(p + 4)) << 32);
}

// pread until `buf` is full or the file ends; the number of bytes read, or -1 on error.
std::int64_t pread_full(int fd, std::uint64_t offset, std::span<std::uint8_t> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    const auto n = ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<std::int64_t>(done);
}

bool read_at(int fd, std::uint64_t offset, std::vector<std::uint8_t>& buf) {
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()) - buf.size()) return false;
  return pread_full(fd, offset, buf) == static_cast<std::int64_t>(buf.size());
}

// The archive file, opened once: every later look at it (our scan, libzip's parse, every read,
// read_raw) goes through this one open file, so they all see the same bytes even if the name
// is replaced meanwhile.
struct ArchiveFile {
  UniqueFd fd;
  std::uint64_t size = 0;
};

// Step 1: the file exists, is a regular file and is within max_archive_size.
bool open_archive_file(const std::filesystem::path& path, const ZipLimits& limits, const std::string& file,
                       ArchiveFile& out, std::vector<ZipProblem>& problems) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  out.fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!out.fd) {
    if (errno == ENOENT || errno == ENOTDIR) {
      problems.push_back({"", Errc::not_found, file + ": no such file"});
    } else {
      problems.push_back({"", Errc::io, file + ": cannot open: " + std::strerror(errno)});
    }
    return false;
  }
  struct stat sb {};
  if (::fstat(out.fd.get(), &sb) != 0) {
    problems.push_back({"", Errc::io, file + ": cannot get size: " + std::strerror(errno)});
    return false;
  }
  if (!S_ISREG(sb.st_mode)) {
    problems.push_back({"", Errc::usage, file + ": not a regular file"});
    return false;
  }
  out.size = static_cast<std::uint64_t>(sb.st_size);
  if (out.size > limits.max_archive_size) {
    problems.push_back({"", Errc::limit,
                        file + ": archive is " + std::to_string(out.size) + " bytes, limit " +
                            std::to_string(limits.max_archive_size)});
    return false;
  }
  return true;
}

// Step 2: a minimal look at the end of central directory record (APPNOTE 4.3.16, 4.3.14/4.3.15
// for ZIP64) and the central directory (4.3.12), made before libzip parses anything: it lets
// the entry-count limit apply before libzip allocates per-entry state, and it names the
// entry when libzip refuses duplicate names without saying which. Best effort: on any
// doubt it reports nothing and libzip's own parsing decides.
struct CentralScan {
  std::uint64_t count = 0;
  std::vector<std::string> names;  // filled only when the count is within the limit
};

// Where the end of central directory record says the directory is (ZIP64 when it says so).
struct DirectoryLocation {
  std::uint64_t count = 0;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t end_record = 0;  // file offset of the end record
};

std::optional<DirectoryLocation> locate_central_directory(int fd, std::uint64_t archive_size) {
  constexpr std::uint64_t kMaxComment = 0xFFFF;
  if (archive_size < kEndRecordSize) return std::nullopt;
  const std::uint64_t tail_size = std::min(archive_size, kEndRecordSize + kMaxComment);
  std::vector<std::uint8_t> tail(static_cast<std::size_t>(tail_size));
  if (!read_at(fd, archive_size - tail_size, tail)) return std::nullopt;
  std::size_t eocd = tail.size() - kEndRecordSize + 1;
  bool found = false;
  while (!found && eocd > 0) {
    --eocd;
    found = le32(&tail[eocd]) == 0x06054B50u &&
            eocd + kEndRecordSize + le16(&tail[eocd + 20]) == tail.size();
  }
  if (!found) return std::nullopt;
  DirectoryLocation loc;
  loc.count = le16(&tail[eocd + 10]);
  loc.size = le32(&tail[eocd + 12]);
  loc.offset = le32(&tail[eocd + 16]);
  loc.end_record = archive_size - tail_size + eocd;
  if ((loc.count == 0xFFFF || loc.size == 0xFFFFFFFFu || loc.offset == 0xFFFFFFFFu) && eocd >= 20 &&
      le32(&tail[eocd - 20]) == 0x07064B50u) {  // ZIP64 locator, APPNOTE 4.3.15
    const std::uint64_t z64 = le64(&tail[eocd - 20 + 8]);
    std::vector<std::uint8_t> rec(56);
    if (z64 + rec.size() > loc.end_record || !read_at(fd, z64, rec) || le32(rec.data()) != 0x06064B50u) {
      return std::nullopt;
    }
    loc.count = le64(&rec[32]);
    loc.size = le64(&rec[40]);
    loc.offset = le64(&rec[48]);
  }
  return loc;
}

std::optional<CentralScan> scan_central_directory(int fd, std::uint64_t archive_size, std::size_t max_entries) {
  const auto loc = locate_central_directory(fd, archive_size);
  if (!loc) return std::nullopt;
  CentralScan scan;
  scan.count = loc->count;
  if (scan.count > max_entries) return scan;
  if (loc->offset > loc->end_record || loc->size > loc->end_record - loc->offset) return std::nullopt;
  // Header by header, so memory stays at one name however large the directory claims to be.
  const std::uint64_t cd_end = loc->offset + loc->size;
  std::uint64_t pos = loc->offset;
  std::vector<std::uint8_t> header(kCentralHeaderSize);
  for (std::uint64_t i = 0; i < scan.count; ++i) {
    if (pos + kCentralHeaderSize > cd_end || !read_at(fd, pos, header) || le32(header.data()) != 0x02014B50u) {
      return std::nullopt;
    }
    const std::size_t name_len = le16(&header[28]);
    const std::uint64_t rest = std::uint64_t{name_len} + le16(&header[30]) + le16(&header[32]);
    if (pos + kCentralHeaderSize + rest > cd_end) return std::nullopt;
    std::vector<std::uint8_t> name(name_len);
    if (name_len > 0 && !read_at(fd, pos + kCentralHeaderSize, name)) return std::nullopt;
    scan.names.emplace_back(name.begin(), name.end());
    pos += kCentralHeaderSize + rest;
  }
  return scan;
}

// Step 3: libzip parses the archive (ZIP_CHECKCONS), reading through a duplicate of our
// descriptor. nullptr after reporting why not.
zip_t* open_with_libzip(const ArchiveFile& archive, const std::optional<CentralScan>& scan, const std::string& file,
                        std::vector<ZipProblem>& problems) {
  zip_error_t error;
  zip_error_init(&error);
  const int dup = ::fcntl(archive.fd.get(), F_DUPFD_CLOEXEC, 0);
  std::FILE* fp = dup < 0 ? nullptr : ::fdopen(dup, "rb");
  if (fp == nullptr) {
    if (dup >= 0) ::close(dup);
    problems.push_back({"", Errc::io, file + ": cannot open: " + std::strerror(errno)});
    return nullptr;
  }
  zip_source_t* src = zip_source_filep_create(fp, 0, -1, &error);
  if (src == nullptr) {
    std::fclose(fp);
    problems.push_back({"", Errc::io, file + ": cannot open: " + zip_error_strerror(&error)});
    zip_error_fini(&error);
    return nullptr;
  }
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  const int err = zip_error_code_zip(&error);
  zip_error_fini(&error);
  if (za != nullptr) return za;  // the archive owns the source, and the source the FILE
  zip_source_free(src);
  if (err == ZIP_ER_EXISTS) {
    // libzip refuses exact duplicate names (without naming them): find the first.
    std::string dup_name;
    if (scan) {
      std::map<std::string, int> seen_raw;
      for (const std::string& n : scan->names) {
        if (++seen_raw[n] == 2) {
          dup_name = printable(n);
          break;
        }
      }
    }
    problems.push_back({dup_name, Errc::hostile,
                        dup_name.empty() ? file + ": duplicate entry names"
                                         : entry_prefix(dup_name) + "duplicate of entry '" + dup_name + "'"});
    return nullptr;
  }
  // The file exists (checked above): libzip's "no such file" means it found no entry where
  // the directory said one would be.
  const Errc code = err == ZIP_ER_NOENT ? Errc::malformed : errc_from_libzip(err);
  problems.push_back({"", code, file + ": not a usable ZIP archive: " + libzip_message(err)});
  return nullptr;
}

// Step 4, per entry, from the central directory. What the entries have in common is kept here
// for step 5.
struct EntryChecks {
  EntryChecks(const ZipLimits& l, const std::optional<CentralScan>& s, std::uint64_t n)
      : limits(l), scan(s), count(n) {}
  const ZipLimits& limits;
  const std::optional<CentralScan>& scan;
  std::uint64_t count = 0;
  std::map<std::string, std::string> seen;  // collision key -> first shown name
  std::vector<std::pair<std::string, std::string>> file_keys;  // key, shown name (files only)
  std::uint64_t total_size = 0;
  bool total_reported = false;
  std::uint64_t min_archive_size = kEndRecordSize;  // APPNOTE 4.3.6 overall layout
};

// One entry's central-directory record, reporting problems through `problem`.
using ProblemFn = std::function<void(Errc, const std::string&)>;

// APPNOTE 4.4.4 bit 0 / 4.5 strong encryption, 4.4.5 methods: allow-list. Checked first:
// libzip reports no CRC for AES (AE-2) entries.
std::optional<zip_stat_t> stat_entry(zip_t* za, zip_uint64_t i, const ProblemFn& problem) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, i, ZIP_FL_UNCHANGED, &st) != 0) {
    problem(Errc::malformed, "cannot read its central-directory record");
    return std::nullopt;
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
    problem(Errc::unsupported, "encrypted (encryption method " + std::to_string(st.encryption_method) +
                                   "), not accepted");
    return std::nullopt;
  }
  if ((st.valid & ZIP_STAT_COMP_METHOD) != 0 && st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE) {
    problem(Errc::unsupported, "compression method " + std::to_string(st.comp_method) + " (" +
                                   method_name(st.comp_method) + "), only store (0) and deflate (8) are accepted");
    return std::nullopt;
  }
  constexpr zip_uint64_t need =
      ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC | ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
  if ((st.valid & need) != need) {
    problem(Errc::malformed, "central-directory record lacks size, CRC or method");
    return std::nullopt;
  }
  return st;
}

// The name: control characters are checked on the raw bytes because libzip's CP437
// conversion (APPNOTE appendix D) turns them into printable symbols; the rest of the safe-path
// rules on the UTF-8 form. The canonical name, or nullopt after reporting why not.
std::optional<std::string> check_name(const std::string& raw, const std::string& utf8, const std::string* scanned,
                                      const ZipLimits& limits, const ProblemFn& problem) {
  // libzip replaces NUL bytes in names with spaces; other tools cut the name there.
  if (scanned != nullptr && scanned->find('\0') != std::string::npos) {
    problem(Errc::hostile, "name contains a NUL byte (other tools read only '" + printable(scanned->c_str()) + "')");
    return std::nullopt;
  }
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(u));
      problem(Errc::hostile, std::string("name contains control character ") + buf);
      return std::nullopt;
    }
  }
  auto norm = normalise_entry_name(utf8, limits.max_depth, limits.max_name_length);
  if (!norm) {
    problem(norm.error().code, norm.error().message);
    return std::nullopt;
  }
  return *norm;
}

// APPNOTE 4.4.2 / 4.4.15: Unix mode in the upper 16 bits of the external attributes.
void check_file_type(zip_t* za, zip_uint64_t i, bool is_dir, const ProblemFn& problem) {
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(za, i, ZIP_FL_UNCHANGED, &opsys, &attributes) != 0 ||
      opsys != ZIP_OPSYS_UNIX) {
    return;
  }
  const std::uint32_t type = (attributes >> 16) & S_IFMT;
  if (type == S_IFLNK) {
    problem(Errc::hostile, "symbolic link entry");
  } else if (type != 0 && type != S_IFREG && type != S_IFDIR) {
    const char* kind = type == S_IFIFO    ? "FIFO"
                       : type == S_IFCHR  ? "character device"
                       : type == S_IFBLK  ? "block device"
                       : type == S_IFSOCK ? "socket"
                                          : "unknown file type";
    problem(Errc::hostile, std::string("special file entry (Unix mode says ") + kind + ")");
  } else if (type == S_IFDIR && !is_dir) {
    problem(Errc::hostile, "directory mode on a name without a trailing '/'");
  }
}

// Declared sizes: a directory holds nothing, stored means size == compressed size, and the
// entry and ratio limits.
void check_sizes(const zip_stat_t& st, bool is_dir, const ZipLimits& limits, const ProblemFn& problem) {
  if (is_dir && st.size != 0) {
    problem(Errc::malformed, "directory entry with " + std::to_string(st.size) + " bytes of data");
  }
  if (st.comp_method == ZIP_CM_STORE && st.encryption_method == ZIP_EM_NONE && st.size != st.comp_size) {
    problem(Errc::malformed, "stored entry whose size (" + std::to_string(st.size) +
                                 ") differs from its compressed size (" + std::to_string(st.comp_size) + ")");
  }
  if (st.size > limits.max_entry_size) {
    problem(Errc::limit, "declares " + std::to_string(st.size) + " bytes, limit " +
                             std::to_string(limits.max_entry_size));
  }
  if (st.size >= limits.ratio_min_size && st.size > 0 &&
      (st.comp_size == 0 || st.size / st.comp_size > limits.max_ratio)) {
    problem(Errc::hostile, "compression ratio " +
                               (st.comp_size == 0 ? std::string("infinite") : std::to_string(st.size / st.comp_size)) +
                               ":1 (" + std::to_string(st.size) + " from " + std::to_string(st.comp_size) +
                               " bytes), limit " + std::to_string(limits.max_ratio) + ":1");
  }
}

// Checks entry `i`; the entry when it has no problem.
std::optional<ZipEntry> check_entry(zip_t* za, zip_uint64_t i, EntryChecks& c, std::vector<ZipProblem>& problems) {
  const char* raw_c = zip_get_name(za, i, ZIP_FL_ENC_RAW);
  const char* utf8_c = zip_get_name(za, i, ZIP_FL_ENC_GUESS);
  const std::string raw = raw_c != nullptr ? raw_c : "";
  const std::string utf8 = utf8_c != nullptr ? utf8_c : "";
  const std::string shown = printable(raw);
  const std::size_t before = problems.size();
  const ProblemFn problem = [&](Errc code, const std::string& what) {
    problems.push_back({shown, code, entry_prefix(shown) + what});
  };

  const auto st = stat_entry(za, i, problem);
  if (!st) return std::nullopt;
  c.min_archive_size += kLocalHeaderSize + kCentralHeaderSize + 2 * raw.size() + st->comp_size;
  const std::string* scanned =
      c.scan && c.scan->names.size() == c.count ? &c.scan->names[static_cast<std::size_t>(i)] : nullptr;
  const auto canonical = check_name(raw, utf8, scanned, c.limits, problem);
  const bool is_dir = !utf8.empty() && utf8.back() == '/';
  check_file_type(za, i, is_dir, problem);
  check_sizes(*st, is_dir, c.limits, problem);
  // No duplicate, also after normalisation (case and Unicode form, trailing '/').
  if (canonical) {
    const std::string key = c.limits.caller_judges_name_twins ? *canonical : collision_key(*canonical);
    auto [it, inserted] = c.seen.emplace(key, shown);
    if (!inserted) {
      problem(Errc::hostile,
              "duplicate of entry '" + it->second + "'" + (it->second == shown ? "" : " after normalisation"));
    } else if (!is_dir) {
      c.file_keys.emplace_back(key, shown);
    }
  }
  c.total_size += st->size;
  if (c.total_size > c.limits.max_total_size && !c.total_reported) {
    c.total_reported = true;
    problem(Errc::limit, "brings the declared total to " + std::to_string(c.total_size) + " bytes, limit " +
                             std::to_string(c.limits.max_total_size));
  }
  if (problems.size() != before) return std::nullopt;
  return ZipEntry{*canonical, st->size, st->comp_size, is_dir, st->crc, static_cast<std::uint64_t>(i),
                  st->comp_method == ZIP_CM_DEFLATE};
}

// Step 5, across entries: a file name used as a directory of another entry ("a" and "a/b"),
// and overlapping entries (APPNOTE has no rule against it; zip bombs use it): every entry
// needs its own local header, data and central record, so their sum bounds the size.
// Directory clashes are entry problems; the overlap bound is an archive problem.
std::vector<ZipProblem> check_across_entries(const EntryChecks& c, std::uint64_t archive_size,
                                             const std::string& file, std::vector<ZipProblem>& problems) {
  for (const auto& [key, shown] : c.file_keys) {
    const std::string as_dir = key + "/";
    auto it = c.seen.lower_bound(as_dir);
    if (it != c.seen.end() && it->first.compare(0, as_dir.size(), as_dir) == 0) {
      problems.push_back({shown, Errc::hostile,
                          entry_prefix(shown) + "file name is also used as a directory by entry '" + it->second + "'"});
    }
  }
  std::vector<ZipProblem> archive_problems;
  if (c.min_archive_size > archive_size) {
    archive_problems.push_back({"", Errc::hostile,
                                file + ": entries need at least " + std::to_string(c.min_archive_size) +
                                    " bytes but the archive has " + std::to_string(archive_size) +
                                    " (entries share data: overlap bomb)"});
  }
  return archive_problems;
}

struct Opened {
  zip_t* archive = nullptr;
  UniqueFd fd;  // the open archive file, passed on with the archive
  std::uint64_t size = 0;
  std::vector<ZipEntry> entries;
};

// Opens and checks, step by step (above). Appends every problem found; stops early only where
// going on makes no sense (cannot open, too many entries). On success (no problems) the
// archive is open.
Opened open_checked(const std::filesystem::path& path, const ZipLimits& limits, std::vector<ZipProblem>& problems) {
  Opened out;
  const std::string file = path.filename().string();
  ArchiveFile archive;
  if (!open_archive_file(path, limits, file, archive, problems)) return out;

  const auto scan = scan_central_directory(archive.fd.get(), archive.size, limits.max_entries);
  if (scan && scan->count > limits.max_entries) {
    problems.push_back({"", Errc::limit, file + ": " + std::to_string(scan->count) + " entries, limit " +
                                             std::to_string(limits.max_entries)});
    return out;
  }

  zip_t* za = open_with_libzip(archive, scan, file, problems);
  if (za == nullptr) return out;
  struct Closer {
    zip_t*& za;
    ~Closer() {
      if (za != nullptr) zip_discard(za);
    }
  } closer{za};

  const zip_int64_t count = zip_get_num_entries(za, 0);
  if (count < 0) {
    problems.push_back({"", Errc::internal, file + ": libzip gave no entry count"});
    return out;
  }
  if (static_cast<std::uint64_t>(count) > limits.max_entries) {
    problems.push_back({"", Errc::limit, file + ": " + std::to_string(count) + " entries, limit " +
                                             std::to_string(limits.max_entries)});
    return out;
  }

  const std::size_t first_entry_problem = problems.size();
  EntryChecks checks(limits, scan, static_cast<std::uint64_t>(count));
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    if (auto e = check_entry(za, i, checks, problems)) out.entries.push_back(std::move(*e));
  }
  const auto archive_problems = check_across_entries(checks, archive.size, file, problems);
  problems.insert(problems.begin() + static_cast<std::ptrdiff_t>(first_entry_problem), archive_problems.begin(),
                  archive_problems.end());
  if (problems.empty()) {
    out.archive = std::exchange(za, nullptr);  // ownership passes to the caller
    out.fd = std::move(archive.fd);
    out.size = archive.size;
  }
  return out;
}

struct FileCloser {
  zip_file_t* f;
  ~FileCloser() {
    if (f != nullptr) zip_fclose(f);
  }
};

using Sink = std::function<Result<void>(std::span<const std::uint8_t>)>;

Result<void> read_entry(zip_t* za, const ZipEntry& e, const Sink& sink) {
  const std::string pre = entry_prefix(e.name);
  if (e.is_directory) return {};
  zip_file_t* f = zip_fopen_index(za, e.index, 0);
  if (f == nullptr) {
    zip_error_t* ze = zip_get_error(za);
    const int code = zip_error_code_zip(ze);
    return fail(errc_from_libzip(code), pre + "cannot open: " + zip_error_strerror(ze));
  }
  FileCloser closer{f};
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, e.size + 1)));
  std::uint64_t got = 0;
  std::uint32_t crc = 0;
  while (true) {
    // Ask for one byte more than is left so an overrun shows without being delivered.
    const std::uint64_t want = std::min<std::uint64_t>(buf.size(), e.size - got + 1);
    const zip_int64_t n = zip_fread(f, buf.data(), want);
    if (n < 0) {
      zip_error_t* ze = zip_file_get_error(f);
      const int code = zip_error_code_zip(ze);
      if (code == ZIP_ER_CRC) return fail(Errc::malformed, pre + "CRC-32 mismatch (reported by libzip)");
      return fail(errc_from_libzip(code), pre + "read failed after " + std::to_string(got) +
                                              " bytes: " + zip_error_strerror(ze));
    }
    if (n == 0) break;
    const auto un = static_cast<std::uint64_t>(n);
    if (un > e.size - got) {
      return fail(Errc::hostile, pre + "delivers more than its declared " + std::to_string(e.size) +
                                     " bytes (size lie)");
    }
    const std::span<const std::uint8_t> chunk(buf.data(), static_cast<std::size_t>(un));
    crc = crc32_update(crc, chunk);
    got += un;
    if (auto r = sink(chunk); !r) return r;
  }
  if (got != e.size) {
    return fail(Errc::malformed, pre + "ends after " + std::to_string(got) + " of " +
                                     std::to_string(e.size) + " declared bytes");
  }
  if (crc != e.crc) {
    char buf2[64];
    std::snprintf(buf2, sizeof buf2, "CRC-32 %08X, declared %08X", static_cast<unsigned>(crc),
                  static_cast<unsigned>(e.crc));
    return fail(Errc::malformed, pre + buf2);
  }
  return {};
}

}  // namespace

// ---- ZipReader ----

ZipReader::ZipReader(zip* archive, UniqueFd fd, std::uint64_t size, std::vector<ZipEntry> entries, ZipLimits limits)
    : archive_(archive), fd_(std::move(fd)), size_(size), entries_(std::move(entries)), limits_(limits) {}

ZipReader::ZipReader(ZipReader&& other) noexcept
    : archive_(std::exchange(other.archive_, nullptr)),
      fd_(std::move(other.fd_)),
      size_(other.size_),
      entries_(std::move(other.entries_)),
      limits_(other.limits_) {}

ZipReader& ZipReader::operator=(ZipReader&& other) noexcept {
  if (this != &other) {
    if (archive_ != nullptr) zip_discard(archive_);
    archive_ = std::exchange(other.archive_, nullptr);
    fd_ = std::move(other.fd_);
    size_ = other.size_;
    entries_ = std::move(other.entries_);
    limits_ = other.limits_;
  }
  return *this;
}

ZipReader::~ZipReader() {
  if (archive_ != nullptr) zip_discard(archive_);
}

Result<ZipReader> ZipReader::open(const std::filesystem::path& path, const ZipLimits& limits) {
  std::vector<ZipProblem> problems;
  Opened o = open_checked(path, limits, problems);
  if (!problems.empty()) return fail(problems.front().code, problems.front().message);
  return ZipReader(o.archive, std::move(o.fd), o.size, std::move(o.entries), limits);
}

std::vector<ZipProblem> ZipReader::audit(const std::filesystem::path& path, const ZipLimits& limits,
                                         bool read_contents) {
  std::vector<ZipProblem> problems;
  Opened o = open_checked(path, limits, problems);
  if (o.archive == nullptr) return problems;
  ZipReader reader(o.archive, std::move(o.fd), o.size, std::move(o.entries), limits);
  if (read_contents) {
    const Sink discard = [](std::span<const std::uint8_t>) -> Result<void> { return {}; };
    for (const ZipEntry& e : reader.entries()) {
      if (auto r = reader.read_to(e, discard); !r) {
        problems.push_back({e.name, r.error().code, r.error().message});
      }
    }
  }
  return problems;
}

Result<std::size_t> ZipReader::read_raw(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (!fd_) return fail(Errc::usage, "read from a moved-from ZipReader");
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()) - out.size()) {
    return fail(Errc::malformed, "offset " + std::to_string(offset) + " is beyond any file");
  }
  const auto n = pread_full(fd_.get(), offset, out);
  if (n < 0) return fail(Errc::io, "cannot read at offset " + std::to_string(offset) + ": " + std::strerror(errno));
  return static_cast<std::size_t>(n);
}

const ZipEntry* ZipReader::find(std::string_view name) const noexcept {
  for (const ZipEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<const ZipEntry*> ZipReader::own_entry(const ZipEntry& entry) const {
  if (archive_ == nullptr) return fail(Errc::usage, "read from a moved-from ZipReader");
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const ZipEntry& e) { return e.index == entry.index; });
  if (it == entries_.end() || it->name != entry.name) {
    return fail(Errc::usage, entry_prefix(entry.name) + "not an entry of this archive");
  }
  return &*it;  // the stored copy: declared values cannot be forged by the caller
}

Result<void> ZipReader::read_to(const ZipEntry& entry, const Sink& sink) const {
  auto own = own_entry(entry);
  if (!own) return tl::unexpected(own.error());
  return read_entry(archive_, **own, sink);
}

Result<std::vector<std::uint8_t>> ZipReader::read(const ZipEntry& entry) const {
  auto own = own_entry(entry);
  if (!own) return tl::unexpected(own.error());
  std::vector<std::uint8_t> out;
  // The declared size was checked against max_entry_size at open; reads never exceed it.
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>((*own)->size, limits_.max_entry_size)));
  auto r = read_entry(archive_, **own, [&](std::span<const std::uint8_t> chunk) -> Result<void> {
    out.insert(out.end(), chunk.begin(), chunk.end());
    return {};
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace dossier::io
