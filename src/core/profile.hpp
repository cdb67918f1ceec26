// Requirement profiles (schemas/profiles/*.xml, format in docs/profiles.md): the domain rules
// as data. A Profile exists only through load()/parse(), which reject unknown elements,
// unknown grounds, bad XPath and references to undefined evidence types.
#pragma once

#include <algorithm>
#include <memory>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/evidence.hpp"
#include "core/model.hpp"
#include "core/result.hpp"

namespace dossier {

// The refusal grounds a rule can name (domain brief, 003 section 4.1), in report order.
const std::vector<std::string>& known_grounds();

struct LocalText {
  std::string nl;
  std::string en;
  const std::string& get(Lang lang) const { return lang == Lang::nl || en.empty() ? nl : en; }
};

struct Evidence {
  std::string id;
  std::string folder;
  LocalText name;
  std::vector<Fact> facts;  // what a document of this type must show (docs/profiles.md)
  int max_age_days = 0;     // > 0: a document older than this on the check date gets a warning
  bool has_identifying() const {
    return std::any_of(facts.begin(), facts.end(), [](const Fact& f) { return f.identifying; });
  }
};

// A condition over referral.xml (XPath 1.0, evaluated by pugixml against <referral>) and
// the usable documents per evidence type; combined with all / any / not.
struct Condition {
  enum class Kind { all, any, negation, xpath, documents };
  Kind kind = Kind::all;
  std::string xpath;     // Kind::xpath: a boolean XPath expression
  std::string evidence;  // Kind::documents
  int min = 1;           // Kind::documents
  std::vector<Condition> children;
};

struct Rule {
  std::string id;
  std::string ground;
  Severity severity = Severity::fail;
  RuleKind kind = RuleKind::completeness;
  std::unique_ptr<Condition> when;     // applies only if true; absent = always
  std::unique_ptr<Condition> require;  // condition-based rule
  std::string inspect;                 // or a built-in inspection (see docs/profiles.md)
  LocalText text;
  LocalText fix;
  std::string source_doc;
  std::string source_section;
  std::string source_text;

  Rule() = default;
  Rule(const Rule& other);
  Rule& operator=(const Rule& other);
  Rule(Rule&&) noexcept = default;
  Rule& operator=(Rule&&) noexcept = default;
  ~Rule() = default;
};

// The built-in inspections a rule may name with <inspect what="..."/>.
const std::vector<std::string>& known_inspections();

// Reads a data file by path; the core never touches the file system itself (app::read_data_file).
using ReadText = std::function<Result<std::string>(const std::string& path)>;

class Profile {
 public:
  // `id_or_path`: a profile id (looked up in <data_dir>/schemas/profiles/<id>.xml) or a path
  // to a profile file, read with `read`. Resolves `extends` (at most 4 levels).
  // app::load_profile calls it with the file system's reader.
  static Result<Profile> load(const std::string& data_dir, const std::string& id_or_path, const ReadText& read);

  const std::string& id() const noexcept { return id_; }
  const std::string& version() const noexcept { return version_; }
  const LocalText& title() const noexcept { return title_; }
  const std::vector<Evidence>& evidence() const noexcept { return evidence_; }
  const std::vector<Rule>& rules() const noexcept { return rules_; }
  const Evidence* evidence_by_folder(std::string_view folder) const;
  const Evidence* evidence_by_id(std::string_view id) const;

 private:
  static Result<Profile> load_level(const std::string& data_dir, const std::string& id_or_path, const ReadText& read,
                                    int depth);
  std::string id_;
  std::string version_;
  LocalText title_;
  std::vector<Evidence> evidence_;
  std::vector<Rule> rules_;
};

}  // namespace dossier
