// How the bundle commands (seal, verify, open, inspect) tell people and machines about a bundle:
// the manifest as aligned fields or JSON, and each problem in the user's language.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/bundle.hpp"
#include "app/keys.hpp"
#include "core/messages.hpp"

namespace dossier::cli {

// Text that came out of a bundle (names, details, manifest values), safe to print: control,
// bidirectional and invisible characters as <U+202E>, bytes that are not UTF-8 as <0xFF>.
// Every function below applies it to what it prints.
std::string shown(std::string_view text);

std::string problem_text(const app::BundleProblem& p, const Catalogue& messages);
nlohmann::ordered_json problem_json(const app::BundleProblem& p, const Catalogue& messages);

// One "  dossier id       3f0c..." line: the label of bundle.field.KEY, padded to 17 characters.
std::string field_line(const Catalogue& messages, const std::string& key, const std::string& value);

// Such lines for the manifest; `bundle` is printed first when not empty.
std::string manifest_text(const app::Manifest& m, const std::string& bundle, const Catalogue& messages);
nlohmann::ordered_json manifest_json(const app::Manifest& m);

// Prints "dossier: warning: ..." on stderr (e.g. a secret key that others can read).
void print_warning(const std::string& text);

// "label [i/n] what" on one self-overwriting line of stderr; clear_progress() wipes it.
app::Progress terminal_progress(std::string label);
void clear_progress();

// What to do about a wrong passphrase.
std::string passphrase_hint(Lang lang);

// --passphrase-file FILE when given, else a prompt on the terminal.
// Asks on the terminal in the catalogue's language (passphrase.* keys), or reads --passphrase-file.
app::PassphraseSource passphrase_from(const std::string& file, const Catalogue& messages);

}  // namespace dossier::cli
