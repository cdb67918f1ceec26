// Where dossier finds its data (profiles, schemas, message catalogues, templates) and how it reads
// them: the file-system side of the core's parsers, which only take bytes.
#pragma once

#include <string>
#include <vector>

#include "core/messages.hpp"
#include "core/profile.hpp"
#include "core/result.hpp"

namespace dossier::app {

// DOSSIER_DATA_DIR if set; else <exe>/../share/dossier when it exists; else the source tree
// the binary was built from.
std::string data_dir();

// A data file of at most 1 MiB (profiles, the schema, catalogues, templates).
Result<std::string> read_data_file(const std::string& path);

// A requirement profile by id (schemas/profiles/ID.xml) or path, with its `extends` chain.
Result<Profile> load_profile(const std::string& data_dir, const std::string& id_or_path);

// The ids of the profiles in schemas/profiles/, sorted.
std::vector<std::string> available_profiles(const std::string& data_dir);

// The message catalogue templates/messages/LANG.xml.
Result<Catalogue> load_catalogue(const std::string& data_dir, Lang lang);

// The text of schemas/referral.xsd.
Result<std::string> read_referral_schema(const std::string& data_dir);

}  // namespace dossier::app
