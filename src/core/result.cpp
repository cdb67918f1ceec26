#include "core/result.hpp"

namespace dossier {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::usage: return "usage";
    case Errc::not_found: return "not-found";
    case Errc::io: return "io";
    case Errc::malformed: return "malformed";
    case Errc::limit: return "limit";
    case Errc::hostile: return "hostile";
    case Errc::crypto: return "crypto";
    case Errc::no_identity: return "no-identity";
    case Errc::bad_passphrase: return "bad-passphrase";
    case Errc::unsupported: return "unsupported";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

const char* stage_name(Stage stage) noexcept {
  switch (stage) {
    case Stage::unspecified: return "";
    case Stage::armor: return "armor";
    case Stage::header: return "header";
    case Stage::mac: return "mac";
    case Stage::payload: return "payload";
  }
  return "";
}

}  // namespace dossier
