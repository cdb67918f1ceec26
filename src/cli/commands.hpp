// One file per subcommand: each adds itself to the app and sets `run` for when it is chosen.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace dossier::cli {

using Run = std::function<int()>;

void add_assemble(CLI::App& app, Run& run);
void add_check(CLI::App& app, Run& run);
void add_init(CLI::App& app, Run& run);
void add_keygen(CLI::App& app, Run& run);
void add_rules(CLI::App& app, Run& run);
void add_seal(CLI::App& app, Run& run);
void add_verify(CLI::App& app, Run& run);
void add_open(CLI::App& app, Run& run);
void add_inspect(CLI::App& app, Run& run);
void add_serve(CLI::App& app, Run& run);
void add_decide(CLI::App& app, Run& run);
void add_stats(CLI::App& app, Run& run);

}  // namespace dossier::cli
