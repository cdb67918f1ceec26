// Secret bytes: wiped on destruction, never printed, read through one accessor
// (`expose()`) that can be grepped for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dossier::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n);
  SecretBytes(const std::uint8_t* data, std::size_t n);
  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  std::size_t size() const noexcept { return bytes_.size(); }
  bool empty() const noexcept { return bytes_.empty(); }
  // The only way to the bytes. Keep the span's lifetime short.
  std::span<std::uint8_t> expose() noexcept { return bytes_; }
  std::span<const std::uint8_t> expose() const noexcept { return bytes_; }

 private:
  void wipe() noexcept;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace dossier::crypto
