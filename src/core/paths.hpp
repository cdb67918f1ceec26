// Where dossier finds its data (profiles, schemas, templates), and small bounded file reads.
#pragma once

#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace dossier {

// DOSSIER_DATA_DIR if set; else <exe>/../share/dossier when it exists; else the source tree
// the binary was built from.
std::string data_dir();

// Reads a whole file of at most `max_bytes`; larger files are Errc::limit.
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);

}  // namespace dossier
