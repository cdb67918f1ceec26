#include "evidence_set.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace dossier::test::evidence {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kTypes = {{
    {"police", "politie"},
    {"diagnostics", "diagnostiek"},
    {"local-care", "lokale-zorg"},
    {"residence", "verblijfsstatus"},
    {"consent", "toestemming"},
    {"request", "aanmelding"},
    {"safety", "veiligheid"},
}};

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string ltrim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b);
}

// A header value may end in a comment: "no   # or: yes rotate=1.5".
std::string header_value(const std::string& v) {
  const auto hash = v.find('#');
  return ltrim(rtrim(hash == std::string::npos ? v : v.substr(0, hash)));
}

}  // namespace

const std::vector<std::string>& labels() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const auto& [label, folder] : kTypes) out.emplace_back(label);
    out.emplace_back("none");
    return out;
  }();
  return all;
}

const std::vector<std::string>& folders() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const auto& [label, folder] : kTypes) out.emplace_back(folder);
    return out;
  }();
  return all;
}

std::string folder_for(std::string_view label) {
  for (const auto& [l, f] : kTypes)
    if (l == label) return std::string(f);
  return {};
}

std::string label_for(std::string_view folder) {
  for (const auto& [l, f] : kTypes)
    if (f == folder) return std::string(l);
  return {};
}

mkpdf::PdfSpec EvidenceDoc::spec() const {
  mkpdf::PdfSpec s;
  s.title = title;
  s.lines = lines;
  s.pages = pages;
  s.scan = scan;
  s.scan_rotation_degrees = rotate;
  s.scan_noise_seed = noise;
  s.scan_dpi = dpi;
  return s;
}

std::string EvidenceDoc::pdf() const { return mkpdf::make_pdf(spec()); }

fs::path set_dir() { return fs::path(DOSSIER_TEST_DATA) / "evidence"; }

EvidenceDoc parse_doc(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read");
  EvidenceDoc doc;
  doc.file = file;
  doc.name = file.stem().string();
  std::set<std::string> seen;
  int number = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(file.filename().string() + ":" + std::to_string(number) + ": " + why);
  };
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    const std::string line = rtrim(raw);
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) fail("expected KEY: VALUE");
    const std::string key = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);  // keep further indentation
    if (key == "line") {
      doc.lines.push_back(value);
      continue;
    }
    if (key == "note") {
      doc.notes.push_back(ltrim(value));
      continue;
    }
    if (!seen.insert(key).second) fail("duplicate key " + key);
    if (key == "title") {
      doc.title = ltrim(value);
    } else if (key == "folder") {
      doc.folder = header_value(value);
      if (label_for(doc.folder).empty()) fail("unknown folder '" + doc.folder + "'");
    } else if (key == "label") {
      doc.label = header_value(value);
      if (std::find(labels().begin(), labels().end(), doc.label) == labels().end())
        fail("unknown label '" + doc.label + "'");
    } else if (key == "pages") {
      try {
        doc.pages = std::stoi(header_value(value));
      } catch (const std::exception&) {
        fail("pages: not a number");
      }
      if (doc.pages < 1 || doc.pages > 20) fail("pages must be 1..20");
    } else if (key == "scan") {
      std::istringstream words(header_value(value));
      std::string first;
      words >> first;
      if (first == "no") {
        doc.scan = false;
      } else if (first == "yes") {
        doc.scan = true;
      } else {
        fail("scan: expected 'no' or 'yes [rotate=DEG] [noise=SEED] [dpi=N]'");
      }
      for (std::string opt; words >> opt;) {
        if (!doc.scan) fail("scan: no takes no options");
        try {
          if (opt.rfind("rotate=", 0) == 0) doc.rotate = std::stod(opt.substr(7));
          else if (opt.rfind("noise=", 0) == 0) doc.noise = static_cast<unsigned>(std::stoul(opt.substr(6)));
          else if (opt.rfind("dpi=", 0) == 0) doc.dpi = std::stoi(opt.substr(4));
          else fail("scan: unknown option " + opt);
        } catch (const std::invalid_argument&) {
          fail("scan: bad number in " + opt);
        }
      }
    } else {
      fail("unknown key " + key);
    }
  }
  for (const char* required : {"folder", "label", "scan", "title"})
    if (seen.count(required) == 0) fail(std::string("missing key ") + required);
  return doc;
}

std::vector<fs::path> doc_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".doc") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<EvidenceDoc> load_set(const fs::path& dir) {
  std::vector<EvidenceDoc> docs;
  for (const auto& f : doc_files(dir)) docs.push_back(parse_doc(f));
  return docs;
}

}  // namespace dossier::test::evidence
