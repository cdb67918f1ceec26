#include "crypto/digest.hpp"

#include <array>

namespace dossier::crypto {
namespace {

template <std::size_t N>
std::string to_hex(const std::array<unsigned char, N>& bytes) {
  std::array<char, N * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data(), N * 2);
}

}  // namespace

Blake2b512::Blake2b512() { crypto_generichash_init(&state_, nullptr, 0, crypto_generichash_BYTES_MAX); }

void Blake2b512::update(std::span<const std::uint8_t> data) {
  crypto_generichash_update(&state_, data.data(), data.size());
}

std::string Blake2b512::hex_final() {
  std::array<unsigned char, crypto_generichash_BYTES_MAX> out{};
  crypto_generichash_final(&state_, out.data(), out.size());
  return to_hex(out);
}

Sha256::Sha256() { crypto_hash_sha256_init(&state_); }

void Sha256::update(std::span<const std::uint8_t> data) {
  crypto_hash_sha256_update(&state_, data.data(), data.size());
}

std::string Sha256::hex_final() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256_final(&state_, out.data());
  return to_hex(out);
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_final();
}

std::string keyed_blake2b256_hex(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message) {
  std::array<unsigned char, 32> out{};
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), key.data(), key.size());
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  return std::string(hex.data(), 64);
}

bool is_lower_hex(std::string_view s, std::size_t digits) noexcept {
  if (s.size() != digits) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace dossier::crypto
