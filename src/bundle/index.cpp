// The encrypted index of a bundle, once decrypted (docs/bundle-format.md, "The index"): written
// by index_text() at seal, read by parse_index() at open against the verified manifest.
#include <nlohmann/json.hpp>

#include "bundle/format.hpp"
#include "crypto/digest.hpp"

namespace dossier::bundle {
namespace {

using json = nlohmann::ordered_json;

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <typename T>
bool get_to(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
    out = it->template get<std::string>();
  } else {
    if (!it->is_number_unsigned()) return false;
    out = it->template get<T>();
  }
  return true;
}

// The index names the bundle the verified manifest is, and the key that signed it.
Result<void> check_identity(const json& j, const Manifest& m, const crypto::minisign::PublicKey& signer) {
  std::uint64_t format = 0;
  std::string id, created, key_id;
  if (!get_to(j, "format", format) || format != 1) return fail(Errc::unsupported, "format is not 1");
  if (!get_to(j, "dossier_id", id) || id != m.dossier_id) {
    return fail(Errc::hostile, "its dossier id is not the manifest's: the payload comes from another bundle");
  }
  if (!get_to(j, "created", created) || created != m.created) {
    return fail(Errc::hostile, "its creation time is not the manifest's: the payload comes from another bundle");
  }
  if (!get_to(j, "signer_key_id", key_id) || key_id != m.signer_key_id || key_id != signer.key_id_hex()) {
    return fail(Errc::hostile, "sealed by signer " + key_id + " but the manifest is signed by " + signer.key_id_hex() +
                                   ": the manifest was re-signed by another key");
  }
  return {};
}

json identity_of(const Manifest& m) {
  json index;
  index["format"] = 1;
  index["dossier_id"] = m.dossier_id;
  index["created"] = m.created;
  index["signer_key_id"] = m.signer_key_id;
  index["profile"] = {{"id", m.profile_id}, {"version", m.profile_version}};
  return index;
}

}  // namespace

bool is_letter_name(std::string_view name) noexcept { return name == "besluit.pdf" || name == "decision.pdf"; }

std::string decision_index_text(const Manifest& m, std::string_view decision_xml, const IndexFile& letter) {
  json index = identity_of(m);
  index["decision_xml"] = decision_xml;
  index["decision_sha256"] = crypto::sha256_hex(bytes_of(decision_xml));
  index["letter"] = {{"entry", letter.entry}, {"role", letter.role}, {"name", letter.name}, {"size", letter.size},
                     {"sha256", letter.sha256}};
  return index.dump();
}

Result<DecisionIndex> parse_decision_index(std::string_view text, const Manifest& m,
                                           const crypto::minisign::PublicKey& signer, const BundleLimits& limits) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return fail(Errc::malformed, "not a JSON object");
  if (m.purpose != "decision") return fail(Errc::malformed, "the manifest is not a decision's");
  if (auto same = check_identity(j, m, signer); !same) return tl::unexpected(same.error());
  DecisionIndex idx;
  std::string sha;
  if (!get_to(j, "decision_xml", idx.decision_xml) || idx.decision_xml.size() > kMaxDecisionBytes) {
    return fail(Errc::malformed, "decision_xml missing or larger than 1 MiB");
  }
  if (!get_to(j, "decision_sha256", sha) || sha != crypto::sha256_hex(bytes_of(idx.decision_xml))) {
    return fail(Errc::crypto, "decision.xml does not match its SHA-256");
  }
  const auto l = j.find("letter");
  IndexFile& f = idx.letter;
  if (l == j.end() || !l->is_object() || !get_to(*l, "entry", f.entry) || !get_to(*l, "role", f.role) ||
      !get_to(*l, "name", f.name) || !get_to(*l, "size", f.size) || !get_to(*l, "sha256", f.sha256) ||
      !crypto::is_lower_hex(f.sha256, 64)) {
    return fail(Errc::malformed, "the letter is not described");
  }
  if (m.entries.size() != 2 || f.entry != m.entries[1].path || f.role != "letter" || !is_letter_name(f.name)) {
    return fail(Errc::hostile, "the letter is not the one payload entry the manifest signs, under its name");
  }
  if (f.size > limits.max_entry_bytes) return fail(Errc::limit, f.entry + ": larger than the limit");
  return idx;
}

bool is_reading_copy_name(std::string_view role, std::string_view name) noexcept {
  if (role == "dossier") return name == "dossier.pdf";
  if (role == "cover") return name == "voorblad.pdf" || name == "cover-sheet.pdf";
  if (role == "report") return name == "rapport.html" || name == "report.html";
  return false;
}

std::string index_text(const Manifest& m, std::string_view referral_xml, const std::vector<IndexDocument>& documents,
                       const json& check, const std::vector<IndexFile>& reading_copy,
                       const std::vector<IndexDocument>& carried) {
  json docs = json::array();
  for (const auto& d : documents) {
    docs.push_back({{"entry", d.entry}, {"path", d.path}, {"size", d.size}, {"sha256", d.sha256}});
  }
  json index = identity_of(m);
  index["referral_xml"] = referral_xml;
  index["referral_sha256"] = crypto::sha256_hex(bytes_of(referral_xml));
  index["documents"] = std::move(docs);
  if (!m.supplements.empty()) {
    json kept = json::array();
    for (const auto& d : carried) kept.push_back({{"path", d.path}, {"size", d.size}, {"sha256", d.sha256}});
    index["carried"] = std::move(kept);
  }
  index["check"] = check;
  if (!reading_copy.empty()) {
    json files = json::array();
    for (const auto& f : reading_copy) {
      files.push_back({{"entry", f.entry}, {"role", f.role}, {"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
    }
    index["reading_copy"] = std::move(files);
  }
  return index.dump();
}

// The decrypted index must describe exactly the verified manifest's payload, with safe paths.
Result<Index> parse_index(std::string_view text, const Manifest& m,
                                  const crypto::minisign::PublicKey& signer, const BundleLimits& limits) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return fail(Errc::malformed, "not a JSON object");
  std::string referral_sha;
  Index idx;
  if (m.purpose == "decision") return fail(Errc::malformed, "the manifest is a decision's, not a referral's");
  if (auto same = check_identity(j, m, signer); !same) return tl::unexpected(same.error());
  if (!get_to(j, "referral_xml", idx.referral_xml) || idx.referral_xml.size() > kMaxReferralBytes) {
    return fail(Errc::malformed, "referral_xml missing or larger than 1 MiB");
  }
  if (!get_to(j, "referral_sha256", referral_sha) || referral_sha != crypto::sha256_hex(bytes_of(idx.referral_xml))) {
    return fail(Errc::crypto, "referral.xml does not match its SHA-256");
  }
  const auto docs = j.find("documents");
  if (docs == j.end() || !docs->is_array()) return fail(Errc::malformed, "no documents list");
  // The reading copy: absent, or exactly the three roles in order, with their names.
  const auto copy = j.find("reading_copy");
  std::size_t copies = 0;
  if (copy != j.end()) {
    if (!copy->is_array() || copy->size() != std::size(kReadingCopyRoles)) {
      return fail(Errc::malformed, "reading_copy is not a list of three files");
    }
    copies = copy->size();
  }
  if (docs->size() + copies + 1 != m.entries.size()) {
    return fail(Errc::hostile, "lists " + std::to_string(docs->size()) + " documents and " + std::to_string(copies) +
                                   " reading copy files, the manifest " + std::to_string(m.entries.size() - 1) +
                                   " payload entries");
  }
  for (std::size_t i = 0; i < docs->size(); ++i) {
    const json& d = (*docs)[i];
    IndexDocument doc;
    if (!d.is_object() || !get_to(d, "entry", doc.entry) || !get_to(d, "path", doc.path) ||
        !get_to(d, "size", doc.size) || !get_to(d, "sha256", doc.sha256) || !crypto::is_lower_hex(doc.sha256, 64)) {
      return fail(Errc::malformed, "document " + std::to_string(i + 1) + " is incomplete");
    }
    if (doc.entry != m.entries[i + 1].path) {
      return fail(Errc::hostile, "document " + std::to_string(i + 1) + " is " + doc.entry + ", the manifest lists " +
                                     m.entries[i + 1].path);
    }
    if (doc.size > limits.max_entry_bytes) return fail(Errc::limit, doc.entry + ": larger than the limit");
    idx.documents.push_back(std::move(doc));
  }
  const auto carried = j.find("carried");
  if (!m.supplements.empty() && (carried == j.end() || !carried->is_array())) {
    return fail(Errc::malformed, "a supplement without its list of carried documents");
  }
  if (m.supplements.empty() && carried != j.end()) return fail(Errc::hostile, "carried documents in a bundle that supplements none");
  if (carried != j.end()) {
    if (carried->size() + idx.documents.size() > limits.max_documents) return fail(Errc::limit, "too many documents");
    for (std::size_t i = 0; i < carried->size(); ++i) {
      const json& d = (*carried)[i];
      IndexDocument doc;
      if (!d.is_object() || !get_to(d, "path", doc.path) || !get_to(d, "size", doc.size) ||
          !get_to(d, "sha256", doc.sha256) || !crypto::is_lower_hex(doc.sha256, 64)) {
        return fail(Errc::malformed, "carried document " + std::to_string(i + 1) + " is incomplete");
      }
      idx.carried.push_back(std::move(doc));
    }
  }
  for (std::size_t i = 0; i < copies; ++i) {
    const json& f = (*copy)[i];
    const std::size_t at = docs->size() + 1 + i;
    IndexFile file;
    if (!f.is_object() || !get_to(f, "entry", file.entry) || !get_to(f, "role", file.role) ||
        !get_to(f, "name", file.name) || !get_to(f, "size", file.size) || !get_to(f, "sha256", file.sha256) ||
        !crypto::is_lower_hex(file.sha256, 64)) {
      return fail(Errc::malformed, "reading copy file " + std::to_string(i + 1) + " is incomplete");
    }
    if (file.role != kReadingCopyRoles[i] || !is_reading_copy_name(file.role, file.name)) {
      return fail(Errc::hostile, "reading copy file " + std::to_string(i + 1) + " is not the " + kReadingCopyRoles[i] +
                                     " under one of its names");
    }
    if (file.entry != m.entries[at].path) {
      return fail(Errc::hostile, "reading copy file " + std::to_string(i + 1) + " is " + file.entry +
                                     ", the manifest lists " + m.entries[at].path);
    }
    if (file.size > limits.max_entry_bytes) return fail(Errc::limit, file.entry + ": larger than the limit");
    idx.reading_copy.push_back(std::move(file));
  }
  return idx;
}

}  // namespace dossier::bundle
