// The evidence reader against the labelled set (tests/data/evidence): every document as the
// coordinator filed it, read as the check reads it (text layer, or OCR for scans), judged with the
// shipped profile. Prints what it measured; fails when a non-evidence document is accepted or
// fewer than 95% of the evidence documents are.
#include <gtest/gtest.h>

#include <iostream>

#include "app/check.hpp"
#include "core/profile.hpp"
#include "evidence_set.hpp"
#include "io/pdf_inspect.hpp"
#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

TEST(EvidenceReader, AcceptsEvidenceAndNothingElse) {
  auto profile = app::load_profile(test::source_dir(), "omm-eerste-fase");
  ASSERT_TRUE(profile) << profile.error().message;
  const auto set = test::evidence::load_set();
  int evidence = 0, accepted = 0, other = 0, refused = 0, misfiled = 0, recognised = 0, scans = 0, scans_accepted = 0;
  std::string report;
  for (const auto& doc : set) {
    const std::string pdf = doc.pdf();
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(pdf.data()), pdf.size());
    auto info = io::inspect_pdf(bytes, doc.package_path());
    ASSERT_TRUE(info) << info.error().message;
    ASSERT_EQ(info->outcome, io::PdfInfo::Outcome::ok) << doc.name << ": " << info->detail;
    DocumentFacts d;
    d.path = doc.package_path();
    d.folder = doc.folder;
    d.evidence = profile->evidence_by_folder(doc.folder)->id;
    d.has_text = info->has_text;
    app::read_evidence(info->text, *profile, d);
    const bool ok = d.is_evidence;
    std::string missing;
    for (const auto& m : d.missing_identifying) missing += " " + m;
    if (doc.belongs_in_folder()) {
      ++evidence;
      accepted += ok ? 1 : 0;
      if (doc.scan) {
        ++scans;
        scans_accepted += ok ? 1 : 0;
      }
      if (!ok) report += "  evidence refused: " + doc.name + " (not found:" + missing + ")\n";
    } else {
      ++other;
      refused += ok ? 0 : 1;
      if (ok) report += "  NOT evidence but accepted: " + doc.name + " in " + doc.folder + "/\n";
      if (doc.misfiled()) {
        ++misfiled;
        const bool right = d.reads_like == doc.label;
        recognised += right ? 1 : 0;
        if (!right) report += "  misfiled " + doc.name + " (" + doc.label + ") reads like '" + d.reads_like + "'\n";
      }
    }
  }
  std::cout << "evidence set: " << set.size() << " documents (" << scans << " scanned evidence)\n"
            << "  evidence accepted:      " << accepted << " of " << evidence << " ("
            << (evidence > 0 ? 100.0 * accepted / evidence : 0.0) << "%), scanned " << scans_accepted << " of " << scans << "\n"
            << "  non-evidence refused:   " << refused << " of " << other << "\n"
            << "  misfiled, true type named: " << recognised << " of " << misfiled << "\n"
            << report;
  EXPECT_EQ(refused, other) << "every document that is not evidence of its folder's type must be refused";
  EXPECT_GE(accepted * 100, evidence * 95) << "at least 95% of the evidence must be accepted";
  EXPECT_GE(evidence, 45);
  EXPECT_GE(other, 20);
}

}  // namespace
}  // namespace dossier
