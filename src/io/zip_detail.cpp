#include "io/zip_detail.hpp"

#include <zip.h>

#include <cstdio>

namespace dossier::io::zip_detail {

std::string libzip_message(int code) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  std::string msg = zip_error_strerror(&ze);
  zip_error_fini(&ze);
  return msg;
}

Errc errc_from_libzip(int code) {
  switch (code) {
    case ZIP_ER_NOENT: return Errc::not_found;
    case ZIP_ER_OPEN:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
    case ZIP_ER_WRITE:
    case ZIP_ER_CLOSE:
    case ZIP_ER_RENAME:
    case ZIP_ER_TMPOPEN:
    case ZIP_ER_REMOVE:
      return Errc::io;
    case ZIP_ER_NOZIP:
    case ZIP_ER_INCONS:
    case ZIP_ER_CRC:
    case ZIP_ER_ZLIB:
    case ZIP_ER_EOF:
      return Errc::malformed;
    case ZIP_ER_MULTIDISK:
    case ZIP_ER_COMPNOTSUPP:
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_WRONGPASSWD:
      return Errc::unsupported;
    case ZIP_ER_MEMORY: return Errc::limit;
    case ZIP_ER_EXISTS: return Errc::usage;
    default: return Errc::internal;
  }
}

std::string printable(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(u));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string entry_prefix(std::string_view shown) { return "entry '" + std::string(shown) + "': "; }

}  // namespace dossier::io::zip_detail
