// Bech32. Spec: BIP-173 (section "Bech32"; checksum per "Checksum" subsection).
//
// One core for public and secret data: decode5_into / convert_bits_into / encode5_into write
// into storage the caller provides, so the secret entry points (age identities) keep every
// intermediate (5-bit groups, regrouped bytes, the string) in guarded memory, and the
// checksum is computed on the fly instead of over a vector holding the data.
#include "crypto/bech32.hpp"

#include <array>

namespace dossier::crypto::bech32 {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t kChecksumLength = 6;

// BIP-173 "Checksum": the BCH code's polymod, fed one 5-bit value at a time.
class Polymod {
 public:
  void feed(std::uint32_t v) {
    // Generator coefficients.
    constexpr std::array<std::uint32_t, 5> gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                                  0x2a1462b3};
    const std::uint32_t b = chk_ >> 25;
    chk_ = ((chk_ & 0x1ffffff) << 5) ^ v;
    for (std::size_t i = 0; i < 5; ++i) {
      if (((b >> i) & 1U) != 0) chk_ ^= gen[i];
    }
  }
  // hrp_expand(hrp): high bits of each character, 0, low bits of each character.
  void feed_hrp(std::string_view hrp) {
    for (const char c : hrp) feed(static_cast<unsigned char>(c) >> 5);
    feed(0);
    for (const char c : hrp) feed(static_cast<unsigned char>(c) & 31U);
  }
  std::uint32_t value() const { return chk_; }

 private:
  std::uint32_t chk_ = 1;
};

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

Result<std::string> lower_hrp(std::string_view hrp) {
  if (hrp.empty()) return fail(Errc::usage, "bech32: empty human-readable part");
  std::string out;
  for (const char c : hrp) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return fail(Errc::usage, "bech32: invalid HRP character");
    out.push_back(to_lower(c));
  }
  return out;
}

std::size_t encoded_length(std::string_view hrp, std::size_t n5) { return hrp.size() + 1 + n5 + kChecksumLength; }

// Writes hrp '1' data checksum (lowercase) into out, exactly encoded_length() characters.
Result<void> encode5_into(std::string_view hrp, std::span<const std::uint8_t> data5, std::span<char> out,
                          bool upper) {
  Polymod pm;
  pm.feed_hrp(hrp);
  std::size_t at = 0;
  for (const char c : hrp) out[at++] = upper ? to_upper(c) : c;
  out[at++] = '1';
  for (const std::uint8_t v : data5) {
    if (v >= 32) return fail(Errc::usage, "bech32: data value out of range");
    pm.feed(v);
    out[at++] = upper ? to_upper(kCharset[v]) : kCharset[v];
  }
  for (std::size_t i = 0; i < kChecksumLength; ++i) pm.feed(0);
  const std::uint32_t mod = pm.value() ^ 1;
  for (std::size_t i = 0; i < kChecksumLength; ++i) {
    const char c = kCharset[(mod >> (5 * (5 - i))) & 31];
    out[at++] = upper ? to_upper(c) : c;
  }
  return {};
}

struct Parsed {
  std::string hrp;  // lowercased
  bool uppercase = false;
  std::size_t data_length = 0;  // 5-bit groups written, checksum excluded
};

// Checks and decodes `s`; its 5-bit data groups go to data5 (at least s.size() bytes).
Result<Parsed> decode5_into(std::string_view s, std::size_t max_length, std::span<std::uint8_t> data5) {
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
  if (s.size() - pos - 1 < kChecksumLength) return fail(Errc::malformed, "bech32: checksum too short");
  Parsed out;
  out.uppercase = has_upper;
  for (std::size_t i = 0; i < pos; ++i) out.hrp.push_back(to_lower(s[i]));
  Polymod pm;
  pm.feed_hrp(out.hrp);
  out.data_length = s.size() - pos - 1 - kChecksumLength;
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    const std::size_t v = kCharset.find(to_lower(s[i]));
    if (v == std::string_view::npos) return fail(Errc::malformed, "bech32: invalid data character");
    pm.feed(static_cast<std::uint32_t>(v));
    const std::size_t k = i - pos - 1;
    if (k < out.data_length) data5[k] = static_cast<std::uint8_t>(v);
  }
  if (pm.value() != 1) return fail(Errc::malformed, "bech32: invalid checksum");
  return out;
}

// Regroups bits (BIP-173 reference convertbits) into out (at least converted_capacity()
// bytes); returns how many groups were written.
std::size_t converted_capacity(std::size_t n, int from_bits, int to_bits) {
  return (n * static_cast<std::size_t>(from_bits) + static_cast<std::size_t>(to_bits) - 1) /
         static_cast<std::size_t>(to_bits);
}

Result<std::size_t> convert_bits_into(std::span<const std::uint8_t> in, int from_bits, int to_bits, bool pad,
                                      std::span<std::uint8_t> out) {
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t n = 0;
  const std::uint32_t maxv = (1U << to_bits) - 1;
  for (const std::uint8_t v : in) {
    if ((static_cast<std::uint32_t>(v) >> from_bits) != 0) {
      return fail(Errc::malformed, "bech32: value out of range for bit group");
    }
    acc = (acc << from_bits) | v;
    bits += from_bits;
    while (bits >= to_bits) {
      bits -= to_bits;
      out[n++] = static_cast<std::uint8_t>((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out[n++] = static_cast<std::uint8_t>((acc << (to_bits - bits)) & maxv);
  } else if (bits >= from_bits || ((acc << (to_bits - bits)) & maxv) != 0) {
    return fail(Errc::malformed, "bech32: invalid padding");
  }
  return n;
}

}  // namespace

Result<std::string> encode5(std::string_view hrp, std::span<const std::uint8_t> data5) {
  auto h = lower_hrp(hrp);
  if (!h) return tl::unexpected(h.error());
  std::string out(encoded_length(*h, data5.size()), '\0');
  if (auto ok = encode5_into(*h, data5, out, false); !ok) return tl::unexpected(ok.error());
  return out;
}

Result<Decoded> decode5(std::string_view s, std::size_t max_length) {
  std::vector<std::uint8_t> data5(s.size());
  auto p = decode5_into(s, max_length, data5);
  if (!p) return tl::unexpected(p.error());
  data5.resize(p->data_length);
  return Decoded{std::move(p->hrp), std::move(data5), p->uppercase};
}

Result<std::vector<std::uint8_t>> convert_bits(std::span<const std::uint8_t> in, int from_bits,
                                               int to_bits, bool pad) {
  std::vector<std::uint8_t> out(converted_capacity(in.size(), from_bits, to_bits));
  auto n = convert_bits_into(in, from_bits, to_bits, pad, out);
  if (!n) return tl::unexpected(n.error());
  out.resize(*n);
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

Result<SecretBytes> encode_secret(std::string_view hrp, std::span<const std::uint8_t> data, bool upper) {
  auto h = lower_hrp(hrp);
  if (!h) return tl::unexpected(h.error());
  SecretBytes d5(converted_capacity(data.size(), 8, 5));
  auto n5 = convert_bits_into(data, 8, 5, true, d5.expose());
  if (!n5) return tl::unexpected(n5.error());
  d5.shrink(*n5);
  SecretBytes out(encoded_length(*h, d5.size()));
  const auto chars = out.expose();
  if (auto ok = encode5_into(*h, d5.expose(), std::span<char>(reinterpret_cast<char*>(chars.data()), chars.size()),
                             upper);
      !ok) {
    return tl::unexpected(ok.error());
  }
  return out;
}

Result<DecodedSecret> decode_secret(std::string_view s, std::size_t max_length) {
  SecretBytes d5(s.size());
  auto p = decode5_into(s, max_length, d5.expose());
  if (!p) return tl::unexpected(p.error());
  d5.shrink(p->data_length);
  SecretBytes d8(converted_capacity(d5.size(), 5, 8));
  auto n8 = convert_bits_into(d5.expose(), 5, 8, false, d8.expose());
  if (!n8) return tl::unexpected(n8.error());
  d8.shrink(*n8);
  return DecodedSecret{std::move(p->hrp), std::move(d8), p->uppercase};
}

}  // namespace dossier::crypto::bech32
