// Small pieces every route of `dossier serve` uses (docs/web.md).
#pragma once

#include <string>

#include <httplib.h>

#include "core/model.hpp"
#include "web/workspace.hpp"

namespace dossier::web {

// The page's language: ?lang=en, else Dutch.
inline Lang lang_of(const httplib::Request& req) {
  return req.get_param_value("lang") == "en" ? Lang::en : Lang::nl;
}

// A refusal: {"error": why} with `status`.
inline void refuse(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  res.set_content(refusal(why).dump(), "application/json");
}

}  // namespace dossier::web
