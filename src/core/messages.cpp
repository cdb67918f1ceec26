#include "core/messages.hpp"

#include <pugixml.hpp>


namespace dossier {

std::string substitute(std::string_view pattern,
                       const std::vector<std::pair<std::string, std::string>>& args) {
  std::string out;
  out.reserve(pattern.size());
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const auto close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        const auto name = pattern.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [k, v] : args) {
          if (k == name) {
            out += v;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

Result<Catalogue> Catalogue::parse(std::string_view xml_text, Lang lang) {
  pugi::xml_document doc;
  const auto parsed = doc.load_buffer(xml_text.data(), xml_text.size());
  if (!parsed) return fail(Errc::malformed, std::string("message catalogue: ") + parsed.description());
  Catalogue c;
  c.lang_ = lang;
  for (const auto& m : doc.child("messages").children("m")) {
    c.messages_.emplace(m.attribute("key").value(), m.text().get());
  }
  if (c.messages_.empty()) return fail(Errc::malformed, "message catalogue has no messages");
  return c;
}

std::string Catalogue::get(std::string_view key,
                           const std::vector<std::pair<std::string, std::string>>& args) const {
  const auto it = messages_.find(key);
  if (it == messages_.end()) return std::string(key);
  return substitute(it->second, args);
}

bool Catalogue::has(std::string_view key) const { return messages_.find(key) != messages_.end(); }

std::vector<std::pair<std::string, std::string>> Catalogue::with_prefix(std::string_view prefix) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = messages_.lower_bound(prefix); it != messages_.end() && it->first.starts_with(prefix); ++it)
    out.emplace_back(it->first.substr(prefix.size()), it->second);
  return out;
}

}  // namespace dossier
