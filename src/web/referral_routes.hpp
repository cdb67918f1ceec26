// The referral facts as a form (issue 10, docs/web.md "The referral form"): the routes of
// /api/packages/{name}/referral.
#pragma once

#include <httplib.h>

#include "web/workspace.hpp"

namespace dossier::web {

void add_referral_routes(httplib::Server& svr, Workspace& workspace);

}  // namespace dossier::web
