#include "core/evaluate.hpp"

#include <gtest/gtest.h>

#include <map>

#include "test_support.hpp"

namespace dossier {
namespace {

const std::string kXsd = std::string(DOSSIER_SOURCE_DIR) + "/schemas/referral.xsd";

class Evaluate : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = Profile::load(test::source_dir(), "omm-eerste-fase");
    ASSERT_TRUE(p) << p.error().message;
    profile = std::move(*p);
    auto c = Catalogue::load(test::source_dir(), Lang::en);
    ASSERT_TRUE(c) << c.error().message;
    catalogue = std::move(*c);
    referral_text = test::example_referral();
    for (const auto& [folder, name] : std::map<std::string, std::string>{
             {"aanmelding", "plaatsingsverzoek.pdf"}, {"diagnostiek", "ggz-verslag.pdf"},
             {"politie", "intake-avim.pdf"}, {"lokale-zorg", "verslag-beschermd-wonen.pdf"},
             {"verblijfsstatus", "verblijfsdocument.pdf"}, {"veiligheid", "contactverbod.pdf"},
             {"toestemming", "toestemmingsverklaring.pdf"}}) {
      DocumentFacts d;
      d.path = folder + "/" + name;
      d.folder = folder;
      d.evidence = profile.evidence_by_folder(folder)->id;
      d.pages = 1;
      d.has_text = true;
      d.date = "2026-10-01";
      d.keywords_found = {"x"};
      d.declared = true;
      documents.push_back(d);
    }
  }

  std::vector<Finding> run() {
    referral = Referral::parse(referral_text, kXsd);
    CheckInput in;
    in.profile = &profile;
    in.referral = &referral;
    in.referral_text = referral_text;
    in.documents = documents;
    in.package_error = package_error;
    return evaluate(in, catalogue);
  }

  static const Finding& find(const std::vector<Finding>& fs, const std::string& rule) {
    for (const auto& f : fs) {
      if (f.rule == rule) return f;
    }
    throw std::runtime_error("no finding for " + rule);
  }

  static std::set<std::string> failed_grounds(const std::vector<Finding>& fs) {
    std::set<std::string> g;
    for (const auto& f : fs) {
      if (f.status == Status::failed) g.insert(f.ground);
    }
    return g;
  }

  DocumentFacts& doc(const std::string& folder) {
    for (auto& d : documents) {
      if (d.folder == folder) return d;
    }
    throw std::runtime_error("no document in " + folder);
  }

  void drop(const std::string& folder) {
    std::erase_if(documents, [&](const DocumentFacts& d) { return d.folder == folder; });
  }

  Profile profile;
  Catalogue catalogue;
  Referral referral;
  std::string referral_text;
  std::vector<DocumentFacts> documents;
  std::optional<std::string> package_error;
};

TEST_F(Evaluate, CompletePackageIsComplete) {
  const auto fs = run();
  EXPECT_TRUE(is_complete(fs));
  EXPECT_EQ(fs.size(), profile.rules().size());  // every rule appears, passed ones too
  for (const auto& f : fs) EXPECT_NE(f.status, Status::failed) << f.rule;
}

TEST_F(Evaluate, MissingPoliceDocumentFailsTrafficking) {
  drop("politie");
  const auto fs = run();
  EXPECT_FALSE(is_complete(fs));
  EXPECT_EQ(find(fs, "trafficking.confirmed").status, Status::failed);
  EXPECT_FALSE(find(fs, "trafficking.confirmed").fix.empty());
  // The police document is also declared in referral.xml, so "incomplete" fails too.
  EXPECT_EQ(failed_grounds(fs), (std::set<std::string>{"incomplete", "trafficking"}));
}

TEST_F(Evaluate, CoordinatorConfirmationWithReasonPassesWithWarning) {
  drop("politie");
  referral_text = test::replace_once(referral_text, "by=\"police\"", "by=\"coordinator\"");
  referral_text = test::replace_once(referral_text, "<document path=\"politie/intake-avim.pdf\"", "<document path=\"lokale-zorg/extra.pdf\"");
  DocumentFacts extra = doc("lokale-zorg");
  extra.path = "lokale-zorg/extra.pdf";
  documents.push_back(extra);
  const auto fs = run();
  EXPECT_EQ(find(fs, "trafficking.confirmed").status, Status::passed);
  EXPECT_EQ(find(fs, "trafficking.police-preferred").status, Status::warning);
  EXPECT_TRUE(is_complete(fs));
}

TEST_F(Evaluate, DiagnosticsOrReason) {
  drop("diagnostiek");
  auto fs = run();
  EXPECT_EQ(find(fs, "multiproblem.diagnostics").status, Status::failed);
  referral_text = test::replace_once(referral_text, "</problems>",
                                     "<no-diagnostics-reason>GGZ deelt geen verslag zonder nieuwe toestemming.</no-diagnostics-reason></problems>");
  fs = run();
  EXPECT_EQ(find(fs, "multiproblem.diagnostics").status, Status::passed);
  EXPECT_EQ(find(fs, "multiproblem.diagnosis-documented").status, Status::warning);
}

TEST_F(Evaluate, PsychiatricCrisisFailsOnItsGround) {
  referral_text = test::replace_once(referral_text, "psychiatric-crisis=\"false\"", "psychiatric-crisis=\"true\"");
  const auto fs = run();
  EXPECT_EQ(failed_grounds(fs), std::set<std::string>{"psychiatric-crisis"});
}

TEST_F(Evaluate, NoResidencePointsToCosm) {
  referral_text = test::replace_once(referral_text, "status=\"lawful\"", "status=\"none\"");
  const auto fs = run();
  const auto& f = find(fs, "residence.lawful");
  EXPECT_EQ(f.status, Status::failed);
  EXPECT_NE(f.fix.find("COSM"), std::string::npos);
  EXPECT_EQ(find(fs, "residence.evidence").status, Status::passed);  // not applicable
}

TEST_F(Evaluate, B8IsAWarning) {
  referral_text = test::replace_once(referral_text, "status=\"lawful\"", "status=\"b8\"");
  const auto fs = run();
  EXPECT_EQ(find(fs, "residence.b8").status, Status::warning);
  EXPECT_TRUE(is_complete(fs));
}

TEST_F(Evaluate, DocumentProblemsAreNamedPerFile) {
  doc("aanmelding").outcome = DocOutcome::not_pdf;
  doc("diagnostiek").outcome = DocOutcome::encrypted;
  doc("politie").active_content = {"JavaScript"};
  doc("lokale-zorg").has_text = false;
  doc("verblijfsstatus").keywords_found.clear();
  doc("veiligheid").declared = false;
  const auto fs = run();
  EXPECT_EQ(find(fs, "documents.readable").files, std::vector<std::string>{doc("aanmelding").path});
  EXPECT_EQ(find(fs, "documents.not-encrypted").files, std::vector<std::string>{doc("diagnostiek").path});
  EXPECT_EQ(find(fs, "documents.no-active-content").files, std::vector<std::string>{doc("politie").path});
  EXPECT_EQ(find(fs, "documents.no-active-content").status, Status::failed);
  EXPECT_EQ(find(fs, "documents.text-layer").status, Status::warning);
  EXPECT_EQ(find(fs, "documents.evidence-type").files, std::vector<std::string>{doc("verblijfsstatus").path});
  EXPECT_EQ(find(fs, "documents.declared").files, std::vector<std::string>{doc("veiligheid").path});
  // The unusable documents no longer count as evidence.
  EXPECT_EQ(find(fs, "request.document").status, Status::failed);
  EXPECT_EQ(find(fs, "trafficking.confirmed").status, Status::failed);
}

TEST_F(Evaluate, DeclaredButMissingFails) {
  drop("veiligheid");
  const auto fs = run();
  const auto& f = find(fs, "documents.declared-present");
  EXPECT_EQ(f.status, Status::failed);
  EXPECT_EQ(f.files, std::vector<std::string>{"veiligheid/contactverbod.pdf"});
}

TEST_F(Evaluate, MissingReferralFailsOnlyThroughReferralRule) {
  CheckInput in;
  in.profile = &profile;
  Referral none = Referral::missing();
  in.referral = &none;
  in.documents = documents;
  const auto fs = evaluate(in, catalogue);
  EXPECT_EQ(find(fs, "referral.valid").status, Status::failed);
  EXPECT_EQ(find(fs, "psychiatric-crisis.none").status, Status::info);
  EXPECT_FALSE(is_complete(fs));
}

TEST_F(Evaluate, PackageErrorFails) {
  package_error = "entry ../evil escapes the package";
  const auto fs = run();
  EXPECT_EQ(find(fs, "package.readable").status, Status::failed);
}

}  // namespace
}  // namespace dossier
