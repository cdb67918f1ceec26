// The fixed key pairs of tests/fuzz/keys, read once per process: a minisign signing key pair
// and an age X25519 identity, made for the fuzz seeds only and used nowhere else.
#pragma once
#include "crypto/age.hpp"
#include "crypto/minisign.hpp"
#include "fuzz_support.hpp"

namespace dossier::fuzz {

inline const crypto::minisign::PublicKey& signing_key() {
  static const crypto::minisign::PublicKey key = [] {
    auto k = crypto::minisign::PublicKey::parse(read_text(keys_dir() + "/fuzz-signing.pub"));
    if (!k) broken("tests/fuzz/keys/fuzz-signing.pub");
    return *k;
  }();
  return key;
}

inline const crypto::age::X25519Identity& encryption_identity() {
  static const crypto::age::X25519Identity id = [] {
    auto ids = crypto::age::parse_identities(read_text(keys_dir() + "/fuzz-encryption.key"));
    if (!ids || ids->size() != 1) broken("tests/fuzz/keys/fuzz-encryption.key");
    return std::move(ids->front());
  }();
  return id;
}

}  // namespace dossier::fuzz
