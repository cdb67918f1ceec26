#include "crypto/secret.hpp"

#include <sodium.h>

#include <cstring>

namespace dossier::crypto {

SecretBytes::SecretBytes(std::size_t n) : bytes_(n, 0) {}
SecretBytes::SecretBytes(const std::uint8_t* data, std::size_t n) : bytes_(data, data + n) {}
SecretBytes::SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}
SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}
SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}
SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}
SecretBytes::~SecretBytes() { wipe(); }

void SecretBytes::wipe() noexcept {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

}  // namespace dossier::crypto
