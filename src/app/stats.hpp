// dossier stats REGISTER: reads a case register (docs/stats.md, "The register") for the figures
// core/stats computes, and writes the charts io/chart draws into a new folder.
//
// Every referral.xml and decision.xml is read with its schema compiled once, case folders in
// parallel (one thread per core). A file that cannot be read or is not valid is skipped and
// listed, never fatal.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/stats.hpp"

namespace dossier::app {

struct RegisterLimits {
  std::size_t max_cases = 100000;           // case folders in the register
  std::size_t max_entries_per_case = 1000;  // files and folders directly in one case folder
  std::size_t max_file_bytes = 1u << 20;    // one referral.xml or decision file (XmlLimits)
};

struct RegisterRead {
  std::vector<stats::CaseRecord> cases;  // by folder name (byte order)
  std::vector<stats::Skipped> skipped;   // paths relative to the register
};

// Errc::not_found when `register_dir` does not exist, Errc::usage when it is not a folder,
// Errc::limit beyond max_cases, Errc::io when it cannot be listed or a schema cannot be read.
// `workers` 0: one per core.
Result<RegisterRead> read_register(const std::string& register_dir, const std::string& data_dir,
                                   const RegisterLimits& limits = {}, unsigned workers = 0);

// Writes each chart as NAME.svg and NAME.png into the new folder `dir`, whole or not at all
// (built in a staging folder beside it, renamed at the end). Errc::usage when `dir` exists,
// Errc::not_found when its parent does not.
Result<std::vector<std::string>> write_charts(const std::string& dir, const std::vector<stats::BarChart>& charts);

}  // namespace dossier::app
