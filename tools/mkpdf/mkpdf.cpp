// dossier-mkpdf: writes a synthetic (never personal) test PDF. See mkpdf.hpp.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mkpdf.hpp"

int main(int argc, char** argv) {
  using dossier::mkpdf::PdfSpec;
  PdfSpec spec;
  std::string text_file, out_path, user, owner;
  std::size_t truncate = 0;
  CLI::App app{"dossier-mkpdf: generate a deterministic synthetic PDF for tests"};
  app.add_option("--title", spec.title, "Document title (also the first line)");
  app.add_option("--line", spec.lines, "A text line (repeatable, UTF-8)");
  app.add_option("--text-file", text_file, "Read text lines from a UTF-8 file")->check(CLI::ExistingFile);
  app.add_option("--pages", spec.pages, "Number of pages")->check(CLI::Range(1, 10000));
  app.add_flag("--no-text", spec.no_text, "Image-only pages (like a scan without text layer)");
  app.add_flag("--scan", spec.scan, "A scanned document: each page one grayscale image of the text, no text layer");
  app.add_option("--rotate", spec.scan_rotation_degrees, "Scan: rotate the page text by DEG degrees (clockwise)")
      ->check(CLI::Range(-45.0, 45.0));
  app.add_option("--noise", spec.scan_noise_seed, "Scan: grey paper, grain and speckles from this seed (0 = clean)");
  app.add_option("--turn", spec.scan_turn, "Scan: the sheet went through turned clockwise by 90, 180 or 270 degrees")
      ->check(CLI::IsMember({0, 90, 180, 270}));
  app.add_option("--dpi", spec.scan_dpi, "Scan: resolution of the page images (default 200)")->check(CLI::Range(50, 600));
  app.add_flag("--javascript", spec.javascript, "Add /OpenAction with /S /JavaScript");
  app.add_flag("--embedded-file", spec.embedded_file, "Add /Names /EmbeddedFiles");
  app.add_flag("--objstm", spec.object_streams, "Put objects in compressed object streams");
  app.add_option("--encrypt-user", user, "Encrypt; password needed to open");
  app.add_option("--encrypt-owner", owner, "Encrypt; owner (permissions) password");
  app.add_flag("--aes256", spec.aes256, "Encrypt with AES-256 (R6) instead of AES-128 (R4)");
  app.add_option("--truncate", truncate, "Keep only the first N bytes");
  app.add_option("-o,--output", out_path, "Output file (default: stdout)");
  CLI11_PARSE(app, argc, argv);

  if (!text_file.empty()) {
    std::ifstream in(text_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      spec.lines.push_back(line);
    }
  }
  if (!spec.scan && (app.count("--rotate") + app.count("--noise") + app.count("--dpi") + app.count("--turn")) > 0) {
    std::cerr << "dossier-mkpdf: --rotate, --turn, --noise and --dpi need --scan\n";
    return 2;
  }
  if (app.count("--encrypt-user") > 0) spec.user_password = user;
  if (app.count("--encrypt-owner") > 0) spec.owner_password = owner;
  if (app.count("--truncate") > 0) spec.truncate = truncate;
  try {
    const std::string pdf = dossier::mkpdf::make_pdf(spec);
    if (out_path.empty() || out_path == "-") {
      std::cout.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
      std::cout.flush();
      return std::cout ? 0 : 1;
    }
    std::ofstream out(out_path, std::ios::binary);
    out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
    out.close();
    if (!out) {
      std::cerr << "dossier-mkpdf: cannot write " << out_path << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "dossier-mkpdf: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
