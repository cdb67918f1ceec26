// Hardened ZIP access over libzip 1.7.3. Spec: PKWARE APPNOTE.TXT 6.3.x.
//
// libzip 1.7.3 facts this file works around (found by testing, see docs/zip-safety.md):
// it does not enforce declared entry sizes while reading, reports CRC errors only at the
// end of an entry, lets an overlapping-entry bomb pass ZIP_CHECKCONS, and will happily
// decrypt traditional-PKWARE entries and decompress bzip2/LZMA. So every check that
// matters is made here, against the central directory (APPNOTE 4.3.12) up front and
// against the delivered bytes while reading.
#include "io/zip_reader.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <map>
#include <optional>
#include <sys/stat.h>
#include <system_error>
#include <utility>

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

// A minimal look at the end of central directory record (APPNOTE 4.3.16, 4.3.14/4.3.15 for
// ZIP64) and the central directory (4.3.12), made before libzip parses anything: it lets
// the entry-count limit apply before libzip allocates per-entry state, and it names the
// entry when libzip refuses duplicate names without saying which. Best effort: on any
// doubt it reports nothing and libzip's own parsing decides.
struct CentralScan {
  std::uint64_t count = 0;
  std::vector<std::string> names;  // filled only when the count is within the limit
};

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

bool read_at(std::FILE* f, std::uint64_t offset, std::vector<std::uint8_t>& buf) {
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<long>::max())) return false;
  if (std::fseek(f, static_cast<long>(offset), SEEK_SET) != 0) return false;
  return std::fread(buf.data(), 1, buf.size(), f) == buf.size();
}

std::optional<CentralScan> scan_central_directory(const std::filesystem::path& path,
                                                  std::uint64_t archive_size,
                                                  std::size_t max_entries) {
  constexpr std::uint64_t kMaxComment = 0xFFFF;
  if (archive_size < kEndRecordSize) return std::nullopt;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return std::nullopt;
  const std::uint64_t tail_size = std::min(archive_size, kEndRecordSize + kMaxComment);
  std::vector<std::uint8_t> tail(static_cast<std::size_t>(tail_size));
  if (!read_at(f.get(), archive_size - tail_size, tail)) return std::nullopt;
  std::size_t eocd = tail.size() - kEndRecordSize + 1;
  bool found = false;
  while (!found && eocd > 0) {
    --eocd;
    found = le32(&tail[eocd]) == 0x06054B50u &&
            eocd + kEndRecordSize + le16(&tail[eocd + 20]) == tail.size();
  }
  if (!found) return std::nullopt;
  CentralScan scan;
  scan.count = le16(&tail[eocd + 10]);
  std::uint64_t cd_size = le32(&tail[eocd + 12]);
  std::uint64_t cd_offset = le32(&tail[eocd + 16]);
  const std::uint64_t eocd_pos = archive_size - tail_size + eocd;
  if ((scan.count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) && eocd >= 20 &&
      le32(&tail[eocd - 20]) == 0x07064B50u) {  // ZIP64 locator, APPNOTE 4.3.15
    const std::uint64_t z64 = le64(&tail[eocd - 20 + 8]);
    std::vector<std::uint8_t> rec(56);
    if (z64 + rec.size() > eocd_pos || !read_at(f.get(), z64, rec) || le32(rec.data()) != 0x06064B50u) {
      return std::nullopt;
    }
    scan.count = le64(&rec[32]);
    cd_size = le64(&rec[40]);
    cd_offset = le64(&rec[48]);
  }
  if (scan.count > max_entries) return scan;
  if (cd_offset > eocd_pos || cd_size > eocd_pos - cd_offset) return std::nullopt;
  // Header by header, so memory stays at one name however large the directory claims to be.
  const std::uint64_t cd_end = cd_offset + cd_size;
  std::uint64_t pos = cd_offset;
  std::vector<std::uint8_t> header(kCentralHeaderSize);
  for (std::uint64_t i = 0; i < scan.count; ++i) {
    if (pos + kCentralHeaderSize > cd_end || !read_at(f.get(), pos, header) ||
        le32(header.data()) != 0x02014B50u) {
      return std::nullopt;
    }
    const std::size_t name_len = le16(&header[28]);
    const std::uint64_t rest = std::uint64_t{name_len} + le16(&header[30]) + le16(&header[32]);
    if (pos + kCentralHeaderSize + rest > cd_end) return std::nullopt;
    std::vector<std::uint8_t> name(name_len);
    if (name_len > 0 && !read_at(f.get(), pos + kCentralHeaderSize, name)) return std::nullopt;
    scan.names.emplace_back(name.begin(), name.end());
    pos += kCentralHeaderSize + rest;
  }
  return scan;
}

struct Opened {
  zip_t* archive = nullptr;
  std::vector<ZipEntry> entries;
};

// Opens and checks. Appends every problem found; stops early only where going on makes
// no sense (cannot open, too many entries). On success (no problems) the archive is open.
Opened open_checked(const std::filesystem::path& path, const ZipLimits& limits,
                    std::vector<ZipProblem>& problems) {
  Opened out;
  const std::string file = path.filename().string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    problems.push_back({"", Errc::not_found, file + ": no such file"});
    return out;
  }
  if (!std::filesystem::is_regular_file(status)) {
    problems.push_back({"", Errc::usage, file + ": not a regular file"});
    return out;
  }
  const std::uint64_t archive_size = std::filesystem::file_size(path, ec);
  if (ec) {
    problems.push_back({"", Errc::io, file + ": cannot get size: " + ec.message()});
    return out;
  }
  if (archive_size > limits.max_archive_size) {
    problems.push_back({"", Errc::limit,
                        file + ": archive is " + std::to_string(archive_size) +
                            " bytes, limit " + std::to_string(limits.max_archive_size)});
    return out;
  }

  const auto scan = scan_central_directory(path, archive_size, limits.max_entries);
  if (scan && scan->count > limits.max_entries) {
    problems.push_back({"", Errc::limit, file + ": " + std::to_string(scan->count) +
                                             " entries, limit " + std::to_string(limits.max_entries)});
    return out;
  }

  int err = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (za == nullptr && err == ZIP_ER_EXISTS) {
    // libzip refuses exact duplicate names (without naming them): find the first.
    std::string dup;
    if (scan) {
      std::map<std::string, int> seen_raw;
      for (const std::string& n : scan->names) {
        if (++seen_raw[n] == 2) {
          dup = printable(n);
          break;
        }
      }
    }
    problems.push_back({dup, Errc::hostile,
                        dup.empty() ? file + ": duplicate entry names"
                                    : entry_prefix(dup) + "duplicate of entry '" + dup + "'"});
    return out;
  }
  if (za == nullptr) {
    // The file exists (checked above): libzip's "no such file" means it found no entry
    // where the directory said one would be.
    const Errc code = err == ZIP_ER_NOENT ? Errc::malformed : errc_from_libzip(err);
    problems.push_back({"", code, file + ": not a usable ZIP archive: " +
                                                        libzip_message(err)});
    return out;
  }
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
    problems.push_back({"", Errc::limit, file + ": " + std::to_string(count) +
                                             " entries, limit " + std::to_string(limits.max_entries)});
    return out;
  }

  const std::size_t first_entry_problem = problems.size();
  std::vector<ZipProblem> archive_problems;
  std::map<std::string, std::string> seen;  // collision key -> first raw name
  std::uint64_t total_size = 0;
  std::uint64_t min_archive_size = kEndRecordSize;  // APPNOTE 4.3.6 overall layout
  bool total_reported = false;
  std::vector<std::pair<std::string, std::string>> file_keys;  // key, shown name

  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    const char* raw_c = zip_get_name(za, i, ZIP_FL_ENC_RAW);
    const char* utf8_c = zip_get_name(za, i, ZIP_FL_ENC_GUESS);
    const std::string raw = raw_c != nullptr ? raw_c : "";
    const std::string utf8 = utf8_c != nullptr ? utf8_c : "";
    const std::string shown = printable(raw);
    const std::string pre = entry_prefix(shown);
    auto problem = [&](Errc code, const std::string& what) {
      problems.push_back({shown, code, pre + what});
    };
    const std::size_t before = problems.size();

    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, i, ZIP_FL_UNCHANGED, &st) != 0) {
      problem(Errc::malformed, "cannot read its central-directory record");
      continue;
    }
    // APPNOTE 4.4.4 bit 0 / 4.5 strong encryption, 4.4.5 methods: allow-list. Checked
    // first: libzip reports no CRC for AES (AE-2) entries.
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
      problem(Errc::unsupported, "encrypted (encryption method " +
                                     std::to_string(st.encryption_method) + "), not accepted");
      continue;
    }
    if ((st.valid & ZIP_STAT_COMP_METHOD) != 0 && st.comp_method != ZIP_CM_STORE &&
        st.comp_method != ZIP_CM_DEFLATE) {
      problem(Errc::unsupported, "compression method " + std::to_string(st.comp_method) + " (" +
                                     method_name(st.comp_method) +
                                     "), only store (0) and deflate (8) are accepted");
      continue;
    }
    constexpr zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC |
                                  ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
    if ((st.valid & need) != need) {
      problem(Errc::malformed, "central-directory record lacks size, CRC or method");
      continue;
    }
    min_archive_size += kLocalHeaderSize + kCentralHeaderSize + 2 * raw.size() + st.comp_size;

    // Names: control characters are checked on the raw bytes because libzip's CP437
    // conversion (APPNOTE appendix D) turns them into printable symbols.
    bool name_ok = true;
    // libzip replaces NUL bytes in names with spaces; other tools cut the name there.
    if (scan && scan->names.size() == static_cast<std::size_t>(count) &&
        scan->names[i].find('\0') != std::string::npos) {
      problem(Errc::hostile, "name contains a NUL byte (other tools read only '" +
                                 printable(scan->names[i].c_str()) + "')");
      name_ok = false;
    }
    for (char c : raw) {
      if (!name_ok) break;
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(u));
        problem(Errc::hostile, std::string("name contains control character ") + buf);
        name_ok = false;
        break;
      }
    }
    std::string canonical;
    if (name_ok) {
      auto norm = normalise_entry_name(utf8, limits.max_depth, limits.max_name_length);
      if (!norm) {
        problem(norm.error().code, norm.error().message);
        name_ok = false;
      } else {
        canonical = *norm;
      }
    }
    const bool is_dir = !utf8.empty() && utf8.back() == '/';

    // APPNOTE 4.4.2 / 4.4.15: Unix mode in the upper 16 bits of the external attributes.
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(za, i, ZIP_FL_UNCHANGED, &opsys, &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX) {
      const std::uint32_t type = (attributes >> 16) & S_IFMT;
      if (type == S_IFLNK) {
        problem(Errc::hostile, "symbolic link entry");
      } else if (type != 0 && type != S_IFREG && type != S_IFDIR) {
        const char* kind = type == S_IFIFO   ? "FIFO"
                           : type == S_IFCHR ? "character device"
                           : type == S_IFBLK ? "block device"
                           : type == S_IFSOCK ? "socket"
                                              : "unknown file type";
        problem(Errc::hostile, std::string("special file entry (Unix mode says ") + kind + ")");
      } else if (type == S_IFDIR && !is_dir) {
        problem(Errc::hostile, "directory mode on a name without a trailing '/'");
      }
    }
    if (is_dir && st.size != 0) {
      problem(Errc::malformed, "directory entry with " + std::to_string(st.size) + " bytes of data");
    }
    if (st.comp_method == ZIP_CM_STORE && st.encryption_method == ZIP_EM_NONE &&
        st.size != st.comp_size) {
      problem(Errc::malformed, "stored entry whose size (" + std::to_string(st.size) +
                                   ") differs from its compressed size (" +
                                   std::to_string(st.comp_size) + ")");
    }
    if (st.size > limits.max_entry_size) {
      problem(Errc::limit, "declares " + std::to_string(st.size) + " bytes, limit " +
                               std::to_string(limits.max_entry_size));
    }
    if (st.size >= limits.ratio_min_size && st.size > 0) {
      if (st.comp_size == 0 || st.size / st.comp_size > limits.max_ratio) {
        problem(Errc::hostile,
                "compression ratio " +
                    (st.comp_size == 0 ? std::string("infinite")
                                       : std::to_string(st.size / st.comp_size)) +
                    ":1 (" + std::to_string(st.size) + " from " + std::to_string(st.comp_size) +
                    " bytes), limit " + std::to_string(limits.max_ratio) + ":1");
      }
    }
    if (name_ok) {
      const std::string key = collision_key(canonical);
      auto [it, inserted] = seen.emplace(key, shown);
      if (!inserted) {
        problem(Errc::hostile, "duplicate of entry '" + it->second + "'" +
                                   (it->second == shown ? "" : " after normalisation"));
      } else if (!is_dir) {
        file_keys.emplace_back(key, shown);
      }
    }
    total_size += st.size;
    if (total_size > limits.max_total_size && !total_reported) {
      total_reported = true;
      problem(Errc::limit, "brings the declared total to " + std::to_string(total_size) +
                               " bytes, limit " + std::to_string(limits.max_total_size));
    }
    if (problems.size() == before) {
      out.entries.push_back(
          ZipEntry{canonical, st.size, st.comp_size, is_dir, st.crc, static_cast<std::uint64_t>(i),
                   st.comp_method == ZIP_CM_DEFLATE});
    }
  }

  // A file name used as a directory of another entry ("a" and "a/b").
  for (const auto& [key, shown] : file_keys) {
    const std::string as_dir = key + "/";
    auto it = seen.lower_bound(as_dir);
    if (it != seen.end() && it->first.compare(0, as_dir.size(), as_dir) == 0) {
      problems.push_back({shown, Errc::hostile,
                          entry_prefix(shown) + "file name is also used as a directory by entry '" +
                              it->second + "'"});
    }
  }

  // Overlapping entries (APPNOTE has no rule against it; zip bombs use it): every entry
  // needs its own local header, data and central record, so their sum bounds the size.
  if (min_archive_size > archive_size) {
    archive_problems.push_back(
        {"", Errc::hostile,
         file + ": entries need at least " + std::to_string(min_archive_size) +
             " bytes but the archive has " + std::to_string(archive_size) +
             " (entries share data: overlap bomb)"});
  }
  problems.insert(problems.begin() + static_cast<std::ptrdiff_t>(first_entry_problem),
                  archive_problems.begin(), archive_problems.end());
  if (problems.empty()) {
    out.archive = za;
    za = nullptr;  // ownership passes to the caller
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

ZipReader::ZipReader(zip* archive, std::vector<ZipEntry> entries, ZipLimits limits)
    : archive_(archive), entries_(std::move(entries)), limits_(limits) {}

ZipReader::ZipReader(ZipReader&& other) noexcept
    : archive_(std::exchange(other.archive_, nullptr)),
      entries_(std::move(other.entries_)),
      limits_(other.limits_) {}

ZipReader& ZipReader::operator=(ZipReader&& other) noexcept {
  if (this != &other) {
    if (archive_ != nullptr) zip_discard(archive_);
    archive_ = std::exchange(other.archive_, nullptr);
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
  return ZipReader(o.archive, std::move(o.entries), limits);
}

std::vector<ZipProblem> ZipReader::audit(const std::filesystem::path& path, const ZipLimits& limits,
                                         bool read_contents) {
  std::vector<ZipProblem> problems;
  Opened o = open_checked(path, limits, problems);
  if (o.archive == nullptr) return problems;
  ZipReader reader(o.archive, std::move(o.entries), limits);
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
