// What the jobs do on SIGINT, SIGTERM or SIGHUP: remove every output folder they have not
// finished (io::Staging), then end by that signal. The CLI calls this first thing.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace dossier::app {

// `note(signal, removed folders)` tells the user; see io::remove_staging_on_signals.
void remove_unfinished_output_on_signals(std::function<void(int, const std::vector<std::string>&)> note);

}  // namespace dossier::app
