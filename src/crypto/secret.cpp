#include "crypto/secret.hpp"

#include <sodium.h>
#include <sys/prctl.h>

#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "crypto/sodium_init.hpp"

namespace dossier::crypto {
namespace {

// Once per process, before the first secret exists: libsodium must be initialised for
// sodium_malloc (page size, canary), and a core dump must not carry the secret to disk.
void prepare_guarded_memory() {
  static const bool ready = [] {
    init_sodium();
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // also stops ptrace by other processes of the user
    return true;
  }();
  (void)ready;
}

std::uint8_t* allocate(std::size_t n) {
  if (n == 0) return nullptr;
  prepare_guarded_memory();
  void* p = sodium_malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<std::uint8_t*>(p);
}

}  // namespace

SecretBytes::SecretBytes(std::size_t n) : data_(allocate(n)), size_(n) {
  if (data_ != nullptr) sodium_memzero(data_, n);  // sodium_malloc fills with 0xdb
}

SecretBytes::SecretBytes(const std::uint8_t* data, std::size_t n) : data_(allocate(n)), size_(n) {
  if (n != 0) std::memcpy(data_, data, n);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { release(); }

SecretBytes SecretBytes::clone() const { return SecretBytes(data_, size_); }

void SecretBytes::shrink(std::size_t n) noexcept {
  if (n >= size_) return;
  sodium_memzero(data_ + n, size_ - n);
  size_ = n;
}

void SecretBytes::release() noexcept {
  // sodium_free wipes the whole allocation (also a tail cut by shrink) and checks the canary.
  if (data_ != nullptr) sodium_free(data_);
  data_ = nullptr;
  size_ = 0;
}

SecretBytes join_secret(std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (const auto part : parts) n += part.size();
  SecretBytes out(n);
  std::size_t at = 0;
  for (const auto part : parts) {
    if (!part.empty()) std::memcpy(out.expose().data() + at, part.data(), part.size());
    at += part.size();
  }
  return out;
}

}  // namespace dossier::crypto

namespace dossier::crypto {

void wipe(std::string& s) noexcept {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
}

std::string random_hex(std::size_t n) {
  init_sodium();
  std::vector<unsigned char> bytes(n);
  randombytes_buf(bytes.data(), bytes.size());
  std::string hex(2 * n + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  sodium_memzero(bytes.data(), bytes.size());
  return hex;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dossier::crypto
