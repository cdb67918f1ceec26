// Strict base64. Spec: RFC 4648 §4 (alphabet, padding), §3.5 (canonical encoding), §3.3
// (no characters outside the alphabet). Why not sodium_base642bin: see base64.hpp.
#include "crypto/base64.hpp"

#include <sodium.h>

#include "crypto/sodium_init.hpp"

namespace dossier::crypto::base64 {
namespace {

int variant(bool padded) {
  return padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

// All ones when lo <= c <= hi, else zero; c, lo, hi < 256, so the subtraction borrows
// into bit 31 exactly when it goes below zero.
constexpr std::uint32_t in_range(std::uint32_t c, std::uint32_t lo, std::uint32_t hi) noexcept {
  const std::uint32_t ge = ((c - lo) >> 31) ^ 1U;
  const std::uint32_t le = ((hi - c) >> 31) ^ 1U;
  return 0U - (ge & le);
}

// The 6-bit value of an alphabet character, or 0xFF for any other byte (RFC 4648 §4,
// Table 1). No lookup table indexed by the character and no branch on it.
constexpr std::uint32_t value_of(unsigned char ch) noexcept {
  const std::uint32_t c = ch;
  const std::uint32_t upper = in_range(c, 'A', 'Z');
  const std::uint32_t lower = in_range(c, 'a', 'z');
  const std::uint32_t digit = in_range(c, '0', '9');
  const std::uint32_t plus = in_range(c, '+', '+');
  const std::uint32_t slash = in_range(c, '/', '/');
  const std::uint32_t v = (upper & (c - 'A')) | (lower & (c - 'a' + 26)) |
                          (digit & (c - '0' + 52)) | (plus & 62U) | (slash & 63U);
  const std::uint32_t valid = upper | lower | digit | plus | slash;
  return (valid & v) | (~valid & 0xFFU);
}

static_assert(value_of('A') == 0 && value_of('Z') == 25 && value_of('a') == 26 &&
              value_of('z') == 51 && value_of('0') == 52 && value_of('9') == 61 &&
              value_of('+') == 62 && value_of('/') == 63);
static_assert(value_of('=') == 0xFF && value_of(0xAF) == 0xFF && value_of(0x80) == 0xFF &&
              value_of('-') == 0xFF && value_of('_') == 0xFF && value_of(0) == 0xFF);

std::string hex_byte(unsigned char c) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[c >> 4] + kDigits[c & 15];
}

// Why the byte at `offset` cannot be there, for the error message.
std::string describe_bad_byte(unsigned char c, std::size_t offset, bool padded) {
  const std::string at = " at offset " + std::to_string(offset);
  if (c == '=') return "'='" + at + (padded ? ": padding is allowed only at the end" : ": no padding allowed here");
  const std::string shown =
      (c > 0x20 && c < 0x7f) ? "'" + std::string(1, static_cast<char>(c)) + "' (" + hex_byte(c) + ")" : hex_byte(c);
  return "byte " + shown + at + " is not in the base64 alphabet";
}

tl::unexpected<Error> bad(const std::string& what) { return fail(Errc::malformed, "base64: " + what); }

// The characters that carry data: `text` without its padding.
Result<std::string_view> data_chars(std::string_view text, bool padded) {
  std::string_view data = text;
  if (padded) {
    if (text.size() % 4 != 0) {
      return bad("length " + std::to_string(text.size()) + " is not a multiple of 4 (padded base64)");
    }
    // At most two '=' and only at the end; a third is reported as a byte out of place.
    for (int i = 0; i < 2 && !data.empty() && data.back() == '='; ++i) data.remove_suffix(1);
  }
  if (data.size() % 4 == 1) {
    return bad("length " + std::to_string(data.size()) + " leaves a lone character (not base64)");
  }
  return data;
}

}  // namespace

std::string encode(std::span<const std::uint8_t> data, bool padded) {
  init_sodium();
  const std::size_t len = sodium_base64_encoded_len(data.size(), variant(padded));
  std::string out(len, '\0');  // includes the terminating NUL
  sodium_bin2base64(out.data(), len, data.data(), data.size(), variant(padded));
  out.resize(len - 1);
  return out;
}

SecretBytes encode_secret(std::span<const std::uint8_t> data, bool padded) {
  init_sodium();
  const std::size_t len = sodium_base64_encoded_len(data.size(), variant(padded));
  SecretBytes out(len);  // includes the terminating NUL, cut below
  sodium_bin2base64(reinterpret_cast<char*>(out.expose().data()), len, data.data(), data.size(),
                    variant(padded));
  out.shrink(len - 1);
  return out;
}

Result<std::size_t> decoded_size(std::string_view text, bool padded) {
  auto data = data_chars(text, padded);
  if (!data) return tl::unexpected(data.error());
  const std::size_t rem = data->size() % 4;
  return data->size() / 4 * 3 + (rem == 0 ? 0 : rem - 1);
}

Result<void> decode_into(std::string_view text, std::span<std::uint8_t> out, bool padded) {
  auto data = data_chars(text, padded);
  if (!data) return tl::unexpected(data.error());
  const std::size_t rem = data->size() % 4;
  const std::size_t want = data->size() / 4 * 3 + (rem == 0 ? 0 : rem - 1);
  if (want != out.size()) {
    return bad("decodes to " + std::to_string(want) + " bytes, expected " + std::to_string(out.size()));
  }
  std::uint32_t acc = 0;
  std::uint32_t last = 0;
  std::size_t o = 0;
  for (std::size_t i = 0; i < data->size(); ++i) {
    const auto c = static_cast<unsigned char>((*data)[i]);
    last = value_of(c);
    if (last > 63) return bad(describe_bad_byte(c, i, padded));
    acc = (acc << 6) | last;
    if (i % 4 == 3) {
      out[o++] = static_cast<std::uint8_t>(acc >> 16);
      out[o++] = static_cast<std::uint8_t>(acc >> 8);
      out[o++] = static_cast<std::uint8_t>(acc);
      acc = 0;
    }
  }
  // RFC 4648 §3.5: the pad bits of the last character must be zero (canonical encoding).
  if (rem == 2) {
    if ((last & 0x0F) != 0) return bad("non-zero bits after the last byte (not canonical)");
    out[o++] = static_cast<std::uint8_t>(acc >> 4);
  } else if (rem == 3) {
    if ((last & 0x03) != 0) return bad("non-zero bits after the last byte (not canonical)");
    out[o++] = static_cast<std::uint8_t>(acc >> 10);
    out[o++] = static_cast<std::uint8_t>(acc >> 2);
  }
  return {};
}

Result<std::vector<std::uint8_t>> decode(std::string_view text, bool padded) {
  auto n = decoded_size(text, padded);
  if (!n) return tl::unexpected(n.error());
  std::vector<std::uint8_t> out(*n);
  if (auto ok = decode_into(text, out, padded); !ok) return tl::unexpected(ok.error());
  return out;
}

}  // namespace dossier::crypto::base64
