// Secret bytes in libsodium guarded memory: sodium_malloc places the bytes right before a
// guard page (an overrun faults), behind a canary (an underrun is caught at free), and
// mlock()s them (not swapped out when the limit allows); sodium_free wipes them. The first
// allocation also turns core dumps off for the process (prctl PR_SET_DUMPABLE 0), so a crash
// while a secret is held does not write it to disk.
//
// Move-only: a copy of a secret is made on purpose, with clone(). Never printed; read
// through one accessor (`expose()`) that can be grepped for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace dossier::crypto {

class SecretBytes {
 public:
  SecretBytes() noexcept = default;
  // n zero bytes. Throws std::bad_alloc when guarded memory cannot be had.
  explicit SecretBytes(std::size_t n);
  // A copy of data[0..n) in guarded memory (the caller wipes its own copy).
  SecretBytes(const std::uint8_t* data, std::size_t n);
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;             // `other` is left empty
  SecretBytes& operator=(SecretBytes&& other) noexcept;  // wipes and frees what it held
  ~SecretBytes();

  SecretBytes clone() const;
  // Keeps the first n bytes (n <= size()); the rest is wiped at once. The allocation is
  // kept, so a buffer can be filled by read(2) and then cut to what was read.
  void shrink(std::size_t n) noexcept;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // The only way to the bytes. Keep the span's lifetime short.
  std::span<std::uint8_t> expose() noexcept { return {data_, size_}; }
  std::span<const std::uint8_t> expose() const noexcept { return {data_, size_}; }

 private:
  void release() noexcept;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// The exposed bytes of a secret read as text (a key file, an identity line), no copy.
inline std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The parts one after another in guarded memory (a secret key file from its lines).
SecretBytes join_secret(std::initializer_list<std::string_view> parts);

}  // namespace dossier::crypto

namespace dossier::crypto {

// `n` random bytes from libsodium (randombytes_buf), as 2n lower-case hex digits: session
// tokens (the web interface's).
std::string random_hex(std::size_t n);

// a == b, in time that depends on their lengths only (sodium_memcmp): for tokens.
bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept;
// Overwrites a string's bytes with zeros where they are (sodium_memzero: not optimised away),
// for a secret that arrived in ordinary memory (e.g. a passphrase in a request body).
void wipe(std::string& s) noexcept;

}  // namespace dossier::crypto
