// Small pieces every route of `dossier serve` uses (docs/web.md).
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>

#include "core/model.hpp"
#include "web/workspace.hpp"

namespace dossier::web {

// The page's language: ?lang=en, else Dutch.
inline Lang lang_of(const httplib::Request& req) {
  return req.get_param_value("lang") == "en" ? Lang::en : Lang::nl;
}

// True when `name` ends with `suffix` ("pdf", "zip"), letters in any case: FILE.PDF is a PDF.
inline bool has_extension(const std::string& name, std::string_view suffix) {
  if (name.size() <= suffix.size() || name[name.size() - suffix.size() - 1] != '.') return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char c = name[name.size() - suffix.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

// A refusal: {"error": why} with `status`.
inline void refuse(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  res.set_content(refusal(why).dump(), "application/json");
}

}  // namespace dossier::web
