// Message catalogues (templates/messages/<lang>.xml): stable keys, {name} placeholders.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"

namespace dossier {

class Catalogue {
 public:
  static Result<Catalogue> parse(std::string_view xml_text, Lang lang);

  Lang lang() const noexcept { return lang_; }
  // The message for `key` with {name} replaced; the key itself when the catalogue lacks it.
  std::string get(std::string_view key,
                  const std::vector<std::pair<std::string, std::string>>& args = {}) const;
  bool has(std::string_view key) const;
  // Every message whose key starts with `prefix`, keyed by the rest of the key (templates take
  // their words this way: templates/assembly/*.mustache).
  std::vector<std::pair<std::string, std::string>> with_prefix(std::string_view prefix) const;

 private:
  Lang lang_ = Lang::en;
  std::map<std::string, std::string, std::less<>> messages_;
};

// Replaces each {name} in `pattern` with its value; unknown names stay as written.
std::string substitute(std::string_view pattern,
                       const std::vector<std::pair<std::string, std::string>>& args);

}  // namespace dossier
