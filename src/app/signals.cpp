#include "app/signals.hpp"

#include <utility>

#include "io/staging.hpp"

namespace dossier::app {

void remove_unfinished_output_on_signals(std::function<void(int, const std::vector<std::string>&)> note) {
  io::remove_staging_on_signals(std::move(note));
}

}  // namespace dossier::app
