// ASCII armor for age files. Spec: C2SP age.md, section "ASCII armor" (strict PEM of
// RFC 7468 §3, label "AGE ENCRYPTED FILE", padded base64, 64 columns).
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dossier::crypto::age {

inline constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
inline constexpr std::string_view kArmorEnd = "-----END AGE ENCRYPTED FILE-----";
inline constexpr std::size_t kArmorColumns = 64;

// Streaming armor encoder: write() any amount, finish() once.
class ArmorWriter {
 public:
  explicit ArmorWriter(std::ostream& out);
  Result<void> write(const std::uint8_t* data, std::size_t n);
  Result<void> finish();

 private:
  Result<void> flush_line(std::size_t n);
  std::ostream& out_;
  std::uint8_t pending_[48];  // 48 bytes = one 64-column line
  std::size_t pending_len_ = 0;
  bool started_ = false;
};

// Streaming strict armor decoder. Errors are "age: armor: ..." (Errc::malformed).
// Whitespace (SP, HT, CR, LF) is allowed before BEGIN and after END; LF or CRLF line
// endings; every line but the last exactly 64 columns; no headers, no blank lines.
class ArmorReader {
 public:
  // `prefix` holds bytes already consumed from `in` (for format detection).
  ArmorReader(std::istream& in, std::string prefix);
  // Reads up to n decoded bytes; returns 0 at the end of the armored data.
  Result<std::size_t> read(std::uint8_t* buf, std::size_t n);

 private:
  Result<void> next_line();
  int get();
  std::istream& in_;
  std::string prefix_;
  std::size_t prefix_pos_ = 0;
  std::uint8_t line_[48];
  std::size_t line_len_ = 0;
  std::size_t line_pos_ = 0;
  bool started_ = false;
  bool done_ = false;
  bool saw_short_line_ = false;
};

}  // namespace dossier::crypto::age
