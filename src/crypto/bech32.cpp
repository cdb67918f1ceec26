// Bech32. Spec: BIP-173 (section "Bech32"; checksum per "Checksum" subsection).
#include "crypto/bech32.hpp"

#include <array>

namespace dossier::crypto::bech32 {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

std::uint32_t polymod(const std::vector<std::uint8_t>& values) {
  // BIP-173 "Checksum": generator coefficients.
  constexpr std::array<std::uint32_t, 5> gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                                0x2a1462b3};
  std::uint32_t chk = 1;
  for (const std::uint8_t v : values) {
    const std::uint32_t b = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (std::size_t i = 0; i < 5; ++i) {
      if (((b >> i) & 1U) != 0) chk ^= gen[i];
    }
  }
  return chk;
}

std::vector<std::uint8_t> hrp_expand(std::string_view hrp) {
  std::vector<std::uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (const char c : hrp) out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5));
  out.push_back(0);
  for (const char c : hrp) out.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) & 31));
  return out;
}

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Result<std::string> encode5(std::string_view hrp, std::span<const std::uint8_t> data5) {
  if (hrp.empty()) return fail(Errc::usage, "bech32: empty human-readable part");
  std::string lower_hrp;
  for (const char c : hrp) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return fail(Errc::usage, "bech32: invalid HRP character");
    lower_hrp.push_back(to_lower(c));
  }
  std::vector<std::uint8_t> values = hrp_expand(lower_hrp);
  for (const std::uint8_t v : data5) {
    if (v >= 32) return fail(Errc::usage, "bech32: data value out of range");
    values.push_back(v);
  }
  values.insert(values.end(), 6, 0);
  const std::uint32_t mod = polymod(values) ^ 1;
  std::string out = lower_hrp + '1';
  for (const std::uint8_t v : data5) out.push_back(kCharset[v]);
  for (std::size_t i = 0; i < 6; ++i) out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
  return out;
}

Result<Decoded> decode5(std::string_view s, std::size_t max_length) {
  // BIP-173 "Bech32": overall length limit (optional here), character range, case.
  if (max_length != 0 && s.size() > max_length) {
    return fail(Errc::malformed, "bech32: string exceeds length limit");
  }
  bool has_lower = false;
  bool has_upper = false;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return fail(Errc::malformed, "bech32: character out of range");
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  if (has_lower && has_upper) return fail(Errc::malformed, "bech32: mixed case");
  const std::size_t pos = s.rfind('1');
  if (pos == std::string_view::npos) return fail(Errc::malformed, "bech32: no separator");
  if (pos == 0) return fail(Errc::malformed, "bech32: empty human-readable part");
  if (s.size() - pos - 1 < 6) return fail(Errc::malformed, "bech32: checksum too short");
  Decoded out;
  out.uppercase = has_upper;
  for (std::size_t i = 0; i < pos; ++i) out.hrp.push_back(to_lower(s[i]));
  std::vector<std::uint8_t> values = hrp_expand(out.hrp);
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    const std::size_t v = kCharset.find(to_lower(s[i]));
    if (v == std::string_view::npos) return fail(Errc::malformed, "bech32: invalid data character");
    values.push_back(static_cast<std::uint8_t>(v));
  }
  if (polymod(values) != 1) return fail(Errc::malformed, "bech32: invalid checksum");
  const std::size_t data_len = s.size() - pos - 1 - 6;
  out.data5.assign(values.end() - static_cast<std::ptrdiff_t>(data_len + 6),
                   values.end() - 6);
  return out;
}

Result<std::vector<std::uint8_t>> convert_bits(std::span<const std::uint8_t> in, int from_bits,
                                               int to_bits, bool pad) {
  std::uint32_t acc = 0;
  int bits = 0;
  const std::uint32_t maxv = (1U << to_bits) - 1;
  std::vector<std::uint8_t> out;
  for (const std::uint8_t v : in) {
    if ((static_cast<std::uint32_t>(v) >> from_bits) != 0) {
      return fail(Errc::malformed, "bech32: value out of range for bit group");
    }
    acc = (acc << from_bits) | v;
    bits += from_bits;
    while (bits >= to_bits) {
      bits -= to_bits;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<std::uint8_t>((acc << (to_bits - bits)) & maxv));
  } else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv) != 0) {
    return fail(Errc::malformed, "bech32: invalid padding");
  }
  return out;
}

Result<std::string> encode(std::string_view hrp, std::span<const std::uint8_t> data, bool upper,
                           std::size_t max_length) {
  auto d5 = convert_bits(data, 8, 5, true);
  if (!d5) return tl::unexpected(d5.error());
  auto s = encode5(hrp, *d5);
  if (!s) return s;
  if (max_length != 0 && s->size() > max_length) {
    return fail(Errc::usage, "bech32: string exceeds length limit");
  }
  if (upper) {
    for (char& c : *s) c = to_upper(c);
  }
  return s;
}

Result<Decoded8> decode(std::string_view s, std::size_t max_length) {
  auto d = decode5(s, max_length);
  if (!d) return tl::unexpected(d.error());
  auto d8 = convert_bits(d->data5, 5, 8, false);
  if (!d8) return tl::unexpected(d8.error());
  return Decoded8{std::move(d->hrp), std::move(*d8), d->uppercase};
}

}  // namespace dossier::crypto::bech32
