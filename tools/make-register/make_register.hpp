// A synthetic case register for dossier stats (docs/stats.md): N case folders with referral.xml
// and decision files, from a fixed seed, every person invented (pseudonyms CL-SYN-000123). It
// counts what it wrote itself, from its own choices, so that the tests and the benchmark can hold
// dossier stats' figures against numbers that were not computed by dossier.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace mkreg {

struct Options {
  std::size_t cases = 100;
  std::uint64_t seed = 1;
  int first_year = 2023;   // first bundles are sealed in first_year .. first_year + years - 1
  int years = 3;
  std::size_t broken = 0;  // cases that also get an invalid decision file (skipped by stats)
};

// Writes the register into `dir` (created; must not exist) and returns the totals:
//   {"cases": N, "awaiting_first_decision": n, "skipped": [paths],
//    "all": FIGURES, "years": {"2024": FIGURES, ...}}
// where FIGURES has the members of dossier stats --format json (counts as plain numbers, only
// the keys that occur). Throws std::runtime_error when a file cannot be written.
nlohmann::ordered_json make_register(const std::filesystem::path& dir, const Options& options);

}  // namespace mkreg
