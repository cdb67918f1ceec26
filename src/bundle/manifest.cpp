// The public manifest of a bundle (docs/bundle-format.md, "The manifest"): written by
// serialise(), read back by parse(), which accepts exactly the bytes serialise() would write for
// the values it found. So the signed bytes have one meaning only: no comments, entities,
// duplicate or extra attributes, other whitespace or element order can hide in them.
#include <pugixml.hpp>

#include <charconv>
#include <cstdio>

#include "bundle/format.hpp"
#include "core/text.hpp"
#include "core/unicode.hpp"
#include "core/xml.hpp"
#include "crypto/digest.hpp"

namespace dossier::bundle {
namespace {

std::string escape_attr(std::string_view s) { return xml_escape(s, /*attribute=*/true); }

bool is_key_id(std::string_view s) {
  if (s.empty() || s.size() > 16 || (s.size() > 1 && s[0] == '0')) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// RFC 3339 date-time in UTC with whole seconds, "YYYY-MM-DDTHH:MM:SSZ", and a real instant:
// a calendar date, hours 00-23, minutes and seconds 00-59 (seal writes POSIX time, which has no
// leap second).
bool is_utc_seconds(std::string_view s) {
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != shape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
  }
  const auto num = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  return valid_date(num(0, 4), num(5, 2), num(8, 2)) && num(11, 2) <= 23 && num(14, 2) <= 59 && num(17, 2) <= 59;
}

// Labels dossier copies from a profile: 1 to 100 bytes of UTF-8 that a terminal shows as
// they are (no control, bidirectional or invisible format character: unicode::is_plain_text).
bool is_plain_label(std::string_view s) { return !s.empty() && s.size() <= 100 && unicode::is_plain_text(s); }

// A value from the manifest, for an error message: quoted, with hidden characters shown.
std::string shown(std::string_view value) { return "\"" + unicode::escape_for_terminal(value) + "\""; }

}  // namespace

std::string document_fingerprint(std::span<const std::uint8_t> key, std::string_view path, std::string_view sha256) {
  std::string message(path);
  message += '\0';
  message += sha256;
  return crypto::keyed_blake2b256_hex(key, {reinterpret_cast<const std::uint8_t*>(message.data()), message.size()});
}

std::string payload_entry_name(std::size_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "payload/%04zu.age", number);
  return buf;
}

std::string trusted_comment_for(const Manifest& m) {
  return "dossier-bundle format=" + m.format + " id=" + m.dossier_id + " created=" + m.created;
}

std::string untrusted_comment_for(const Manifest& m) { return "signature from dossier signing key " + m.signer_key_id; }

std::string Manifest::serialise() const {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<manifest format=\"" + escape_attr(format) + "\">\n";
  x += "  <dossier id=\"" + escape_attr(dossier_id) + "\" created=\"" + escape_attr(created) + "\"/>\n";
  x += "  <profile id=\"" + escape_attr(profile_id) + "\" version=\"" + escape_attr(profile_version) + "\"/>\n";
  x += "  <check verdict=\"" + escape_attr(verdict) + "\" purpose=\"" + escape_attr(purpose) + "\"/>\n";
  const auto ref = [&x](const char* name, const BundleRef& r) {
    if (r.empty()) return;
    x += std::string("  <") + name + " dossier-id=\"" + escape_attr(r.dossier_id) + "\" manifest-sha256=\"" +
         escape_attr(r.manifest_sha256) + "\"/>\n";
  };
  ref("answers", answers);
  ref("supplements", supplements);
  x += "  <signer key-id=\"" + escape_attr(signer_key_id) + "\"/>\n";
  for (const auto& f : fingerprints) x += "  <document fingerprint=\"" + escape_attr(f) + "\"/>\n";
  for (const auto& e : entries) {
    x += "  <entry path=\"" + escape_attr(e.path) + "\" size=\"" + std::to_string(e.size) + "\" blake2b-512=\"" +
         escape_attr(e.blake2b) + "\"/>\n";
  }
  x += "</manifest>\n";
  return x;
}

Result<Manifest> Manifest::parse(std::string_view xml) {
  pugi::xml_document doc;
  // Only the five predefined entities are expanded (never DTD entities); no comments or DOCTYPE kept;
  // whatever is not in serialise()'s shape fails the round trip below anyway.
  const auto ok = doc.load_buffer(xml.data(), xml.size(), pugi::parse_minimal | pugi::parse_escapes | pugi::parse_declaration,
                                  pugi::encoding_utf8);
  if (!ok) return fail(Errc::malformed, std::string("manifest: not well-formed XML: ") + ok.description());
  const auto root = doc.child("manifest");
  if (!root) return fail(Errc::malformed, "manifest: no <manifest> element");
  Manifest m;
  m.format = root.attribute("format").value();
  if (m.format != kBundleFormat) {
    return fail(Errc::unsupported, "manifest: format " + shown(m.format) + " is not " + kBundleFormat);
  }
  const auto d = root.child("dossier");
  m.dossier_id = d.attribute("id").value();
  m.created = d.attribute("created").value();
  m.profile_id = root.child("profile").attribute("id").value();
  m.profile_version = root.child("profile").attribute("version").value();
  m.verdict = root.child("check").attribute("verdict").value();
  m.purpose = root.child("check").attribute("purpose").value();
  m.signer_key_id = root.child("signer").attribute("key-id").value();
  if (!crypto::is_lower_hex(m.dossier_id, 32)) return fail(Errc::malformed, "manifest: dossier id is not 32 hex digits");
  if (!is_utc_seconds(m.created)) {
    return fail(Errc::malformed, "manifest: created " + shown(m.created) + " is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
  }
  if (!is_plain_label(m.profile_id) || !is_plain_label(m.profile_version)) {
    return fail(Errc::malformed, "manifest: profile id or version missing, too long, or holding control, "
                                 "bidirectional or invisible characters");
  }
  if (m.purpose != "referral" && m.purpose != "advice-request" && m.purpose != "decision") {
    return fail(Errc::malformed, "manifest: purpose is not \"referral\", \"advice-request\" or \"decision\"");
  }
  // A referral is sealed only complete; an advice request may also be complete but not eligible;
  // a decision is "decided".
  const bool verdict_fits = m.purpose == "decision" ? m.verdict == "decided"
                                                    : m.verdict == "complete" ||
                                                          (m.verdict == "not-eligible" && m.purpose == "advice-request");
  if (!verdict_fits) {
    return fail(Errc::malformed,
                "manifest: verdict " + shown(m.verdict) + " is not allowed for purpose " + shown(m.purpose));
  }
  if (!is_key_id(m.signer_key_id)) return fail(Errc::malformed, "manifest: signer key id is not a minisign key id");
  for (const char* name : {"answers", "supplements"}) {
    const auto node = root.child(name);
    if (!node) continue;
    BundleRef& r = std::string_view(name) == "answers" ? m.answers : m.supplements;
    r.dossier_id = node.attribute("dossier-id").value();
    r.manifest_sha256 = node.attribute("manifest-sha256").value();
    if (!crypto::is_lower_hex(r.dossier_id, 32) || !crypto::is_lower_hex(r.manifest_sha256, 64)) {
      return fail(Errc::malformed, std::string("manifest: <") + name + "> does not name a bundle (id and SHA-256)");
    }
  }
  if ((m.purpose == "decision") != !m.answers.empty()) {
    return fail(Errc::malformed, "manifest: a decision, and only a decision, names the bundle it answers");
  }
  if (m.purpose == "decision" && !m.supplements.empty()) {
    return fail(Errc::malformed, "manifest: a decision supplements no bundle");
  }
  for (const auto f : root.children("document")) {
    std::string fp = f.attribute("fingerprint").value();
    if (!crypto::is_lower_hex(fp, 64)) return fail(Errc::malformed, "manifest: a document fingerprint is not 64 hex digits");
    if (!m.fingerprints.empty() && fp <= m.fingerprints.back()) {
      return fail(Errc::malformed, "manifest: document fingerprints are not sorted and unique");
    }
    m.fingerprints.push_back(std::move(fp));
  }
  std::size_t n = 0;
  for (const auto e : root.children("entry")) {
    ManifestEntry me;
    me.path = e.attribute("path").value();
    const std::string expected = n == 0 ? std::string(kIndexEntry) : payload_entry_name(n);
    if (me.path != expected) {
      return fail(Errc::malformed,
                  "manifest: entry " + std::to_string(n + 1) + " is " + shown(me.path) + ", expected " + expected);
    }
    const std::string_view size = e.attribute("size").value();
    const auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), me.size);
    if (ec != std::errc() || ptr != size.data() + size.size() || size.empty()) {
      return fail(Errc::malformed, "manifest: " + me.path + ": size is not a number");
    }
    me.blake2b = e.attribute("blake2b-512").value();
    if (!crypto::is_lower_hex(me.blake2b, 128)) {
      return fail(Errc::malformed, "manifest: " + me.path + ": blake2b-512 is not 128 hex digits");
    }
    m.entries.push_back(std::move(me));
    ++n;
  }
  if (m.entries.empty()) return fail(Errc::malformed, "manifest: no entries");
  if (m.serialise() != xml) {
    return fail(Errc::malformed, "manifest: not in canonical form (extra, duplicated or reordered content)");
  }
  return m;
}

}  // namespace dossier::bundle
