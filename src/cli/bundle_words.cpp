#include "cli/bundle_words.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>

#include "core/unicode.hpp"

namespace dossier::cli {

std::string shown(std::string_view text) { return unicode::escape_for_terminal(text); }

std::string problem_text(const app::BundleProblem& p, const Catalogue& messages) {
  return messages.get(std::string("bundle.problem.") + app::check_name(p.check),
                      {{"entry", p.entry.empty() ? "bundle" : shown(p.entry)}, {"detail", shown(p.detail)}});
}

nlohmann::ordered_json problem_json(const app::BundleProblem& p, const Catalogue& messages) {
  return {{"check", app::check_name(p.check)},
          {"entry", shown(p.entry)},
          {"detail", shown(p.detail)},
          {"message", problem_text(p, messages)}};
}

std::string field_line(const Catalogue& messages, const std::string& key, const std::string& value) {
  std::string label = messages.get("bundle.field." + key);
  // Pad by characters, not bytes, so that the values line up in both languages.
  std::size_t chars = 0;
  for (char c : label) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  label.append(chars < 17 ? 17 - chars : 1, ' ');
  return "  " + label + shown(value) + "\n";
}

std::string manifest_text(const app::Manifest& m, const std::string& bundle, const Catalogue& messages) {
  std::string out;
  auto field = [&](const char* key, const std::string& value) { out += field_line(messages, key, value); };
  if (!bundle.empty()) field("bundle", bundle);
  field("id", m.dossier_id);
  field("created", m.created);
  field("profile", m.profile_id + " " + m.profile_version);
  field("verdict", messages.has("bundle.verdict." + m.verdict) ? messages.get("bundle.verdict." + m.verdict) : m.verdict);
  field("purpose", messages.has("bundle.purpose." + m.purpose) ? messages.get("bundle.purpose." + m.purpose) : m.purpose);
  if (!m.answers.empty()) field("answers", m.answers.dossier_id);
  if (!m.supplements.empty()) field("supplements", m.supplements.dossier_id);
  field("signer", m.signer_key_id);
  if (m.purpose == "decision") {
    field("entries", messages.get("bundle.entries-decision", {{"count", std::to_string(m.entries.size())}}));
    return out;
  }
  field("entries", messages.get("bundle.entries", {{"count", std::to_string(m.entries.size())},
                                                   {"documents", std::to_string(m.entries.size() - 1)}}));
  return out;
}

nlohmann::ordered_json manifest_json(const app::Manifest& m) {
  const auto ref = [](const bundle::BundleRef& r) {
    return r.empty() ? nlohmann::ordered_json(nullptr)
                     : nlohmann::ordered_json{{"dossier_id", r.dossier_id}, {"manifest_sha256", r.manifest_sha256}};
  };
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const auto& e : m.entries) entries.push_back({{"path", e.path}, {"size", e.size}, {"blake2b_512", e.blake2b}});
  return {{"format", m.format},
          {"dossier_id", m.dossier_id},
          {"created", m.created},
          {"profile", {{"id", m.profile_id}, {"version", m.profile_version}}},
          {"verdict", m.verdict},
          {"purpose", m.purpose},
          {"answers", ref(m.answers)},
          {"supplements", ref(m.supplements)},
          {"signer_key_id", m.signer_key_id},
          {"document_fingerprints", m.fingerprints},
          {"entries", entries}};
}

void print_warning(const std::string& text) { std::cerr << "dossier: warning: " << text << "\n"; }

app::Progress terminal_progress(std::string label) {
  return [label = std::move(label)](std::size_t i, std::size_t n, const std::string& what) {
    std::cerr << "\r\x1b[K" << label << " [" << std::min(i + 1, n) << "/" << n << "] " << what << std::flush;
  };
}

void clear_progress() { std::cerr << "\r\x1b[K" << std::flush; }

std::string passphrase_hint(Lang lang) {
  return lang == Lang::nl ? "typ het wachtwoord opnieuw, of controleer de eerste regel van --passphrase-file"
                          : "type the passphrase again, or check the first line of --passphrase-file";
}

namespace {

constexpr std::size_t kMaxPassphrase = 1023;

// One line from the terminal, one byte at a time straight into guarded memory, so that nothing
// after the line is consumed and the passphrase never passes through a std::string.
Result<crypto::SecretBytes> read_tty_line(int fd) {
  crypto::SecretBytes buf(kMaxPassphrase + 1);
  std::size_t n = 0;
  for (;;) {
    std::uint8_t* const at = buf.expose().data() + n;
    const auto r = ::read(fd, at, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || *at == '\n' || *at == '\r') break;
    if (n >= kMaxPassphrase) return fail(Errc::usage, "passphrase longer than 1023 bytes");
    ++n;
  }
  buf.shrink(n);
  return buf;
}

// Asks on the controlling terminal (also when stdin and stdout are redirected), without echo.
Result<crypto::SecretBytes> ask_on_terminal(const std::string& prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return fail(Errc::usage, "a passphrase is needed but there is no terminal to ask it on; use --passphrase-file FILE");
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  const bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  auto line = read_tty_line(fd);
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return line;
}

}  // namespace

app::PassphraseSource passphrase_from(const std::string& file, const Catalogue& messages) {
  app::PassphraseWords words;
  words.for_file = messages.get("passphrase.for-file", {{"file", "{file}"}});
  words.confirm = messages.get("passphrase.confirm");
  return app::PassphraseSource(file.empty() ? std::nullopt : std::optional<std::filesystem::path>(file),
                               ask_on_terminal, std::move(words));
}

}  // namespace dossier::cli
