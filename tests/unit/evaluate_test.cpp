#include "core/evaluate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "test_support.hpp"
#include "app/data_files.hpp"

namespace dossier {
namespace {

const std::string kXsd = *app::read_referral_schema(DOSSIER_SOURCE_DIR);  // the schema's text

class Evaluate : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = app::load_profile(test::source_dir(), "omm-eerste-fase");
    ASSERT_TRUE(p) << p.error().message;
    profile = std::move(*p);
    auto c = app::load_catalogue(test::source_dir(), Lang::en);
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
      d.is_evidence = true;
      d.text_source = "text-layer";
      d.pages_read = 1;
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
    in.check_date = check_date;
    in.template_text = template_text;
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
  std::string check_date = "2026-12-01";
  std::string template_text;
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

TEST_F(Evaluate, B8NeedsItsEndDateAndIsNoWarningByItself) {
  referral_text = test::replace_once(referral_text, "status=\"lawful\"", "status=\"b8\"");
  auto fs = run();
  EXPECT_EQ(find(fs, "residence.b8-end-date").status, Status::failed);
  EXPECT_EQ(verdict_of(fs), Verdict::incomplete);
  referral_text = test::replace_once(referral_text, "status=\"b8\"", "status=\"b8\" valid-until=\"2027-01-31\"");
  fs = run();
  EXPECT_EQ(find(fs, "residence.b8-end-date").status, Status::passed);
  EXPECT_EQ(find(fs, "residence.valid").status, Status::passed);
  EXPECT_TRUE(is_complete(fs));
}

TEST_F(Evaluate, ExpiredReflectionPeriodIsNotEligible) {
  referral_text = test::replace_once(referral_text, "status=\"lawful\"", "status=\"b8\" valid-until=\"2026-11-30\"");
  auto fs = run();
  EXPECT_EQ(find(fs, "residence.valid").status, Status::failed);
  EXPECT_EQ(find(fs, "residence.valid").kind, RuleKind::eligibility);
  EXPECT_NE(find(fs, "residence.valid").fix.find("Reflection period expired"), std::string::npos);
  EXPECT_EQ(verdict_of(fs), Verdict::not_eligible);
  check_date = "2026-11-30";  // still valid on its last day
  fs = run();
  EXPECT_EQ(find(fs, "residence.valid").status, Status::passed);
}

TEST_F(Evaluate, ExpiredResidenceDocumentIsNotEligible) {
  doc("verblijfsstatus").expiry = "2026-06-30";
  const auto fs = run();
  EXPECT_EQ(find(fs, "residence.document-valid").status, Status::failed);
  EXPECT_EQ(find(fs, "residence.document-valid").files, std::vector<std::string>{doc("verblijfsstatus").path});
  EXPECT_EQ(verdict_of(fs), Verdict::not_eligible);
}

TEST_F(Evaluate, CrisisWithSpacesIsACrisis) {
  // xs:boolean collapses white space: " true " is true, and 1 is true.
  for (const char* v : {" true ", "1", "\ttrue\n"}) {
    referral_text = test::example_referral();
    referral_text = test::replace_once(referral_text, "psychiatric-crisis=\"false\"",
                                       std::string("psychiatric-crisis=\"") + v + "\"");
    const auto fs = run();
    EXPECT_EQ(find(fs, "psychiatric-crisis.none").status, Status::failed) << v;
    EXPECT_EQ(verdict_of(fs), Verdict::not_eligible) << v;
  }
}

TEST_F(Evaluate, EligibilityApartFromCompleteness) {
  referral_text = test::replace_once(referral_text, "status=\"lawful\"", "status=\"none\"");
  auto fs = run();
  EXPECT_EQ(find(fs, "residence.lawful").status, Status::failed);
  EXPECT_EQ(verdict_of(fs), Verdict::not_eligible);
  doc("politie").is_evidence = false;  // and a completeness failure on top
  fs = run();
  EXPECT_EQ(verdict_of(fs), Verdict::incomplete);
}

TEST_F(Evaluate, EuNationalsNeedNoResidenceDocument) {
  referral_text = test::replace_once(referral_text, "status=\"lawful\"", "status=\"eu-national\"");
  referral_text = test::replace_once(
      referral_text, "<document path=\"verblijfsstatus/verblijfsdocument.pdf\" date=\"2026-03-01\" issuer=\"IND\"/>", "");
  documents.erase(std::remove_if(documents.begin(), documents.end(),
                                 [](const DocumentFacts& d) { return d.folder == "verblijfsstatus"; }),
                  documents.end());
  const auto fs = run();
  EXPECT_EQ(find(fs, "residence.evidence").status, Status::passed);
  EXPECT_TRUE(is_complete(fs));
}

TEST_F(Evaluate, NotEvidenceDoesNotCountTowardRules) {
  doc("politie").is_evidence = false;
  doc("politie").missing_identifying = {"unit", "act"};
  const auto fs = run();
  EXPECT_EQ(find(fs, "documents.evidence").status, Status::failed);
  EXPECT_EQ(find(fs, "documents.evidence").notes.at(0).note,
            "does not read as police confirmation (intake or report); not found: a police or investigation unit (police, "
            "AVIM, KMar, Labour Inspectorate) and an intake, report, notification or official record.");
  EXPECT_EQ(find(fs, "trafficking.confirmed").status, Status::failed);
  EXPECT_EQ(find(fs, "trafficking.confirmed").ground, "trafficking");
}

TEST_F(Evaluate, DatesAgainstTheCheckDate) {
  doc("aanmelding").date = "2026-12-24";
  doc("aanmelding").date_source = "text";
  doc("diagnostiek").date_source = "text";
  doc("diagnostiek").declared_date = "2026-09-20";
  doc("lokale-zorg").date = "2025-01-10";
  const auto fs = run();
  EXPECT_EQ(find(fs, "documents.not-future").files, std::vector<std::string>{doc("aanmelding").path});
  EXPECT_EQ(find(fs, "documents.not-future").status, Status::failed);
  EXPECT_EQ(find(fs, "documents.date-agrees").files, std::vector<std::string>{doc("diagnostiek").path});
  EXPECT_EQ(find(fs, "documents.recent").files, std::vector<std::string>{doc("lokale-zorg").path});
}

TEST_F(Evaluate, PlaceholdersFromTheTemplateFail) {
  template_text = test::read_text(test::source_dir() + "/templates/referral-template.xml");
  referral_text = test::replace_once(referral_text, "Z. de Voorbeeld", "Naam van de zorgcoördinator");
  referral_text = test::replace_once(referral_text, "CL-2026-0042", "CL-0000-0000");
  const auto fs = run();
  const auto& f = find(fs, "referral.no-placeholders");
  EXPECT_EQ(f.status, Status::failed);
  ASSERT_EQ(f.notes.size(), 2u);
  EXPECT_EQ(f.notes[0].note, "referrer/coordinator: still the example value \"Naam van de zorgcoördinator\"");
  EXPECT_EQ(f.notes[1].note, "client/@pseudonym: still the example value \"CL-0000-0000\"");
}

TEST_F(Evaluate, BsnInDocumentsIsCountedNeverShown) {
  doc("diagnostiek").bsn_like = 2;
  const auto fs = run();
  EXPECT_EQ(find(fs, "documents.no-bsn").status, Status::info);
  EXPECT_EQ(find(fs, "documents.no-bsn").notes.at(0).note, "2 number(s) that look like a BSN (not shown)");
}

TEST_F(Evaluate, DocumentProblemsAreNamedPerFile) {
  doc("aanmelding").outcome = DocOutcome::not_pdf;
  doc("diagnostiek").outcome = DocOutcome::encrypted;
  doc("politie").active_content = {"JavaScript"};
  doc("lokale-zorg").has_text = false;
  doc("lokale-zorg").is_evidence = false;
  doc("verblijfsstatus").is_evidence = false;
  doc("veiligheid").declared = false;
  const auto fs = run();
  EXPECT_EQ(find(fs, "documents.readable").files, std::vector<std::string>{doc("aanmelding").path});
  EXPECT_EQ(find(fs, "documents.not-encrypted").files, std::vector<std::string>{doc("diagnostiek").path});
  EXPECT_EQ(find(fs, "documents.no-active-content").files, std::vector<std::string>{doc("politie").path});
  EXPECT_EQ(find(fs, "documents.no-active-content").status, Status::failed);
  EXPECT_EQ(find(fs, "documents.text-read").status, Status::failed);
  EXPECT_EQ(find(fs, "documents.text-read").files, std::vector<std::string>{doc("lokale-zorg").path});
  EXPECT_EQ(find(fs, "documents.evidence").files, std::vector<std::string>{doc("verblijfsstatus").path});
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
