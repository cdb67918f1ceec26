// dossier-make-register DIR [--cases N] [--seed S] [--first-year Y] [--years K] [--broken B]
//   [--totals FILE]: writes a synthetic case register for dossier stats into the new folder DIR
// and, with --totals, the figures it generated as JSON (make_register.hpp). Every person is
// invented; the same seed makes the same register on every machine.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

#include "make_register.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Writes a synthetic case register for dossier stats", "dossier-make-register"};
  std::string dir, totals;
  mkreg::Options o;
  app.add_option("DIR", dir, "The register folder to make (must not exist)")->required();
  app.add_option("--cases", o.cases, "Number of cases (default 100)");
  app.add_option("--seed", o.seed, "Seed (default 1)");
  app.add_option("--first-year", o.first_year, "Year of the first bundles (default 2023)");
  app.add_option("--years", o.years, "Years the first bundles spread over (default 3)")->check(CLI::Range(1, 50));
  app.add_option("--broken", o.broken, "Cases with an extra invalid decision file (default 0)");
  app.add_option("--totals", totals, "Write the generated figures as JSON to this file ('-': standard output)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto t = mkreg::make_register(dir, o);
    if (totals == "-") {
      std::cout << t.dump(2) << "\n";
    } else if (!totals.empty()) {
      std::ofstream(totals) << t.dump(2) << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "dossier-make-register: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
