// The referral facts as a form (web/referral_form.hpp, web/referral_routes.hpp, docs/web.md "The
// referral form"): the form is derived from the schema, values go in and out of referral.xml
// without losing its comments or documents, every save is checked as `dossier check` checks and
// lands whole, and the routes refuse what they must. A real server on 127.0.0.1 and cpp-httplib's
// client, on a copy of examples/complete in a temporary folder.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/check.hpp"
#include "app/data_files.hpp"
#include "bundle_support.hpp"
#include "core/referral.hpp"
#include "io/fd.hpp"
#include "io/zip_writer.hpp"
#include "test_support.hpp"
#include "web_support.hpp"
#include "web/referral_form.hpp"
#include "web/server.hpp"

namespace dossier {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using test::bundle::TempDir;

const Catalogue& words(Lang lang = Lang::nl) {
  static const Catalogue nl = *app::load_catalogue(test::source_dir(), Lang::nl);
  static const Catalogue en = *app::load_catalogue(test::source_dir(), Lang::en);
  return lang == Lang::nl ? nl : en;
}
// A catalogue without a word for the form: every label falls back to the schema's name.
const Catalogue& no_words() {
  static const Catalogue none = *Catalogue::parse("<messages><m key=\"x\">x</m></messages>", Lang::nl);
  return none;
}
std::string xsd() { return *app::read_referral_schema(test::source_dir()); }

// The item of a form at `path`, or null.
const json* item_at(const json& group, const std::string& path) {
  if (group["path"] == path) return &group;
  if (!group.contains("items")) return nullptr;
  for (const auto& i : group["items"])
    if (const json* hit = item_at(i, path)) return hit;
  return nullptr;
}

std::vector<std::string> choices(const json& field) {
  std::vector<std::string> out;
  for (const auto& v : field["values"]) out.push_back(v["value"]);
  return out;
}

bool names_field(const json& issues, const std::string& key) {
  return std::any_of(issues.begin(), issues.end(), [&](const json& i) { return i["field"] == key; });
}

TEST(WebReferralForm, TheFormHasTheSchemasFields) {
  auto form = web::derive_form(xsd(), words());
  ASSERT_TRUE(form) << form.error().message;
  EXPECT_EQ((*form)["kind"], "group");
  EXPECT_EQ((*form)["name"], "referral");

  const json* pseudonym = item_at(*form, "referral/client/@pseudonym");
  ASSERT_NE(pseudonym, nullptr);
  EXPECT_EQ((*pseudonym)["node"], "attribute");
  EXPECT_EQ((*pseudonym)["type"], "text");
  EXPECT_EQ((*pseudonym)["required"], true);
  EXPECT_EQ((*pseudonym)["pattern"], "[A-Za-z0-9][A-Za-z0-9\\-_.]{2,63}");
  EXPECT_EQ((*pseudonym)["label"], "Pseudoniem");
  EXPECT_TRUE(pseudonym->contains("help"));

  const json* status = item_at(*form, "referral/residence/@status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ((*status)["type"], "enum");
  EXPECT_EQ(choices(*status), (std::vector<std::string>{"lawful", "eu-national", "b8", "none", "unknown"}));
  EXPECT_EQ((*status)["values"][0]["label"], "rechtmatig verblijf");
  auto en = web::derive_form(xsd(), words(Lang::en));
  EXPECT_EQ((*item_at(*en, "referral/residence/@status"))["values"][0]["label"], "lawful residence");

  const json* forms = item_at(*form, "referral/exploitation/form");
  ASSERT_NE(forms, nullptr);
  EXPECT_EQ((*forms)["repeatable"], true);
  EXPECT_EQ((*forms)["minOccurs"], 0);
  EXPECT_EQ((*forms)["maxOccurs"], 6);
  EXPECT_EQ((*forms)["type"], "enum");
  const json* problem = item_at(*form, "referral/problems/problem");
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ((*problem)["kind"], "group");
  EXPECT_EQ((*problem)["maxOccurs"], 20);
  ASSERT_NE(item_at(*form, "referral/problems/problem/#text"), nullptr);
  EXPECT_EQ((*item_at(*form, "referral/problems/problem/#text"))["type"], "longtext");

  EXPECT_EQ((*item_at(*form, "referral/situation/@urgent"))["type"], "boolean");
  EXPECT_EQ((*item_at(*form, "referral/situation/@urgent"))["values"][0]["label"], "ja");
  EXPECT_EQ((*item_at(*form, "referral/residence/@valid-until"))["type"], "date");
  EXPECT_EQ((*item_at(*form, "referral/residence/@valid-until"))["required"], false);
  EXPECT_EQ((*item_at(*form, "referral/placement/children/@count"))["type"], "integer");
  EXPECT_EQ((*item_at(*form, "referral/placement/children/@count"))["minValue"], 0);
  EXPECT_EQ((*item_at(*form, "referral/placement"))["minOccurs"], 0);
  EXPECT_EQ((*item_at(*form, "referral/referrer/coordinator"))["type"], "text");
  EXPECT_EQ((*item_at(*form, "referral/referrer/coordinator"))["maxLength"], 200);
  EXPECT_EQ((*item_at(*form, "referral/referrer/coordinator"))["required"], true);
  EXPECT_EQ((*item_at(*form, "referral/motivation"))["type"], "longtext");
  EXPECT_EQ((*item_at(*form, "referral/@version"))["fixed"], "1");
  // The declared documents have their own place in the page; no name or BSN is ever asked.
  EXPECT_EQ(item_at(*form, "referral/documents"), nullptr);
  const std::string all = form->dump();
  EXPECT_EQ(all.find("\"name\":\"name\""), std::string::npos);
  EXPECT_EQ(all.find("bsn"), std::string::npos);
}

TEST(WebReferralForm, AChangedSchemaGivesAChangedForm) {
  // A new residence status in the real schema: in the form at once, named by its value.
  const std::string more = test::replace_once(xsd(), "<xs:enumeration value=\"unknown\"/>\n    </xs:restriction>\n  </xs:simpleType>\n\n  <xs:simpleType name=\"careType\">",
                                              "<xs:enumeration value=\"unknown\"/>\n      <xs:enumeration value=\"asylum\"/>\n    </xs:restriction>\n  </xs:simpleType>\n\n  <xs:simpleType name=\"careType\">");
  auto form = web::derive_form(more, words());
  ASSERT_TRUE(form);
  const json* status = item_at(*form, "referral/residence/@status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(choices(*status).back(), "asylum");
  EXPECT_EQ((*status)["values"].back()["label"], "asylum");

  // A schema of its own: its fields, labelled by their names when the catalogue has no word.
  const std::string toy = R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="colour"><xs:restriction base="xs:string">
    <xs:enumeration value="red"/><xs:enumeration value="green"/></xs:restriction></xs:simpleType>
  <xs:element name="note">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="line" type="xs:string" maxOccurs="unbounded"/>
        <xs:element name="when" type="xs:date" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="colour" type="colour" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>)";
  auto toy_form = web::derive_form(toy, no_words());
  ASSERT_TRUE(toy_form) << toy_form.error().message;
  EXPECT_EQ((*toy_form)["path"], "note");
  EXPECT_EQ((*toy_form)["items"].size(), 3u);
  EXPECT_EQ((*item_at(*toy_form, "note/@colour"))["label"], "colour");
  EXPECT_EQ(choices(*item_at(*toy_form, "note/@colour")), (std::vector<std::string>{"red", "green"}));
  EXPECT_EQ((*item_at(*toy_form, "note/line"))["maxOccurs"], nullptr) << "unbounded";
  EXPECT_EQ((*item_at(*toy_form, "note/when"))["type"], "date");
  EXPECT_EQ(item_at(*toy_form, "referral/client/@pseudonym"), nullptr);

  EXPECT_FALSE(web::derive_form("not xml", words()));
  EXPECT_FALSE(web::derive_form("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>", words()));
}

TEST(WebReferralForm, UnchangedValuesLeaveTheFileByteForByte) {
  auto form = web::derive_form(xsd(), words());
  const std::string text = test::example_referral();
  auto values = web::read_values(*form, text);
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ((*values)["client"]["@pseudonym"], "CL-2026-0042");
  EXPECT_FALSE(values->contains("documents"));
  auto same = web::write_values(*form, text, *values, words());
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(same->text, text);
}

TEST(WebReferralForm, ChangesKeepCommentsLayoutAndTheSchemasOrder) {
  auto form = web::derive_form(xsd(), words());
  const std::string text = test::replace_once(test::example_referral(), "  <problems>\n",
                                              "  <!-- the coordinator's own note -->\n  <problems>\n");
  auto values = *web::read_values(*form, text);
  values["placement"] = nullptr;                                         // optional: removed
  values["problems"]["no-diagnostics-reason"] = "Wachtlijst bij de GGZ.";  // optional, absent: added
  values["problems"]["problem"].erase(1);                                // one of three removed
  values["exploitation"]["form"].push_back("labour");                    // one added
  values["residence"]["@valid-until"] = "2027-01-31";                    // an attribute added
  auto changed = web::write_values(*form, text, values, words());
  ASSERT_TRUE(changed) << changed.error().message;
  ASSERT_TRUE(changed->changed);
  const std::string& out = changed->text;
  const Referral parsed = Referral::parse(out, xsd());
  EXPECT_TRUE(parsed.valid()) << (parsed.issues().empty() ? "" : parsed.issues()[0].message) << "\n" << out;
  EXPECT_NE(out.find("<!-- Synthetic example"), std::string::npos);
  EXPECT_NE(out.find("<!-- the coordinator's own note -->"), std::string::npos);
  EXPECT_EQ(out.find("<placement"), std::string::npos);
  EXPECT_EQ(parsed.documents().size(), 7u);
  EXPECT_NE(out.find("    <problem area=\"intellectual-disability\" status=\"suspected\">Vermoeden van LVB; onderzoek aangevraagd.</problem>\n"
                     "    <no-diagnostics-reason>Wachtlijst bij de GGZ.</no-diagnostics-reason>\n  </problems>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("<form>criminal</form>\n    <form>labour</form>\n  </exploitation>"), std::string::npos) << out;
  EXPECT_EQ(out.find("addiction"), std::string::npos);
  EXPECT_NE(out.find("<residence status=\"lawful\" valid-until=\"2027-01-31\""), std::string::npos);
  // Untouched lines stay as they were.
  EXPECT_NE(out.find("  <referrer role=\"care-coordinator\">\n    <coordinator>Z. de Voorbeeld</coordinator>\n"), std::string::npos);
  // And back: the values read from the new text are the values written.
  auto back = *web::read_values(*form, out);
  EXPECT_EQ(back["placement"]["@wlz-indication"], "") << "an absent group reads as empty values";
  back["placement"] = nullptr;
  EXPECT_EQ(back, values);

  // Element order follows the schema even when the value comes first in the JSON.
  auto again = *web::read_values(*form, out);
  again["placement"] = {{"@wlz-indication", "true"}, {"unsafe-regions", "Noord"}};
  auto placed = web::write_values(*form, out, again, words());
  ASSERT_TRUE(placed);
  EXPECT_LT(placed->text.find("</situation>"), placed->text.find("<placement wlz-indication=\"true\">"));
  EXPECT_LT(placed->text.find("<placement"), placed->text.find("<exploitation"));
  EXPECT_TRUE(Referral::parse(placed->text, xsd()).valid());
}

TEST(WebReferralForm, ValuesOfTheWrongShapeAreRefused) {
  auto form = web::derive_form(xsd(), words());
  const std::string text = test::example_referral();
  for (const json& bad : {json{{"client", "x"}}, json{{"client", {{"@pseudonym", json::array()}}}},
                          json{{"problems", {{"problem", "x"}}}}, json{{"motivation", json::object()}}}) {
    auto r = web::write_values(*form, text, bad, words());
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(r.error().code, Errc::usage);
  }
  EXPECT_EQ(web::read_values(*form, "<nope/>").error().code, Errc::malformed);
  EXPECT_EQ(web::read_values(*form, "<referral").error().code, Errc::malformed);
}

TEST(WebReferralForm, IssuesNameTheirFieldInThePagesLanguage) {
  auto form = web::derive_form(xsd(), words());
  std::string text = test::replace_once(test::example_referral(), "pseudonym=\"CL-2026-0042\"", "pseudonym=\"a b\"");
  text = test::replace_once(text, "status=\"lawful\"", "status=\"asylum\"");
  text = test::replace_once(text, "<region>Voorbeeld-Oost</region>", "<region> </region>");
  text = test::replace_once(text, "<problem area=\"addiction\" status=\"diagnosed\">", "<problem area=\"addiction\">");
  text = test::replace_once(text, "<motivation>", "<motivation>BSN 123456782. ");
  const json issues = web::find_issues(*form, text, xsd(), words());
  auto find = [&](const std::string& key) -> json {
    for (const auto& i : issues)
      if (i["field"] == key) return i;
    return nullptr;
  };
  ASSERT_FALSE(find("referral/client/@pseudonym").is_null()) << issues.dump(1);
  EXPECT_EQ(find("referral/client/@pseudonym")["message"], "Dit heeft niet de vorm die hier hoort (zie de uitleg).");
  EXPECT_EQ(find("referral/residence/@status")["message"], "Kies een van de mogelijkheden.");
  EXPECT_NE(find("referral/residence/@status")["detail"].get<std::string>().find("asylum"), std::string::npos);
  EXPECT_FALSE(find("referral/referrer/region").is_null()) << issues.dump(1);
  EXPECT_EQ(find("referral/problems/problem[1]/@status")["message"], "Vul dit in.") << issues.dump(1);
  EXPECT_EQ(find("referral/motivation")["severity"], "warning") << issues.dump(1);
  EXPECT_TRUE(web::has_errors(issues));
  // One problem per field: libxml2 says the pseudonym's twice.
  EXPECT_EQ(std::count_if(issues.begin(), issues.end(), [](const json& i) { return i["field"] == "referral/client/@pseudonym"; }), 1);
  const json english = web::find_issues(*form, text, xsd(), words(Lang::en));
  EXPECT_EQ(english[0]["message"].get<std::string>().find("Dit"), std::string::npos);
  // A missing element is the missing field's problem.
  const std::string no_region = test::replace_once(test::example_referral(), "    <region>Voorbeeld-Oost</region>\n", "");
  EXPECT_TRUE(names_field(web::find_issues(*form, no_region, xsd(), words()), "referral/referrer/region"));
  EXPECT_TRUE(web::find_issues(*form, test::example_referral(), xsd(), words()).empty());
}

TEST(WebReferralForm, ReplaceFileLandsWholeKeepsTheModeAndNeverFollowsALink) {
  TempDir dir;
  const fs::path file = dir.path() / "referral.xml";
  ASSERT_TRUE(io::replace_file(dir.path(), "referral.xml", "one"));
  EXPECT_EQ(test::read_text(file), "one");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ASSERT_TRUE(io::replace_file(dir.path(), "referral.xml", "two"));
  EXPECT_EQ(test::read_text(file), "two");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  // A link named like the file is replaced, and what it pointed to is untouched.
  const fs::path target = dir.path() / "target";
  { std::ofstream(target) << "kept"; }
  fs::create_symlink(target, dir.path() / "linked");
  ASSERT_TRUE(io::replace_file(dir.path(), "linked", "new"));
  EXPECT_EQ(test::read_text(target), "kept");
  EXPECT_FALSE(fs::is_symlink(dir.path() / "linked"));
  EXPECT_FALSE(io::replace_file(dir.path(), "../x", "no"));
  EXPECT_FALSE(io::replace_file(dir.path() / "nothing", "x", "no"));
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_NE(e.path().filename().string().rfind(".dossier-", 0), 0u) << "a temporary file is left: " << e.path();
}

class WebReferral : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(fs::path(test::source_dir()) / "examples" / "complete", dir_.path() / "complete", fs::copy_options::recursive);
    web::ServeOptions options;
    options.workspace = dir_.path();
    options.data_dir = test::source_dir();
    options.max_request_bytes = 4 * 1024 * 1024;  // above the form's own limit, which must apply
    running_ = std::make_unique<test::web::RunningServer>(options);
    ASSERT_TRUE(running_->started()) << running_->error();
    server_ = running_->get();
    host_ = running_->host();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60);
    return c;
  }
  httplib::Headers reading() const { return {{"Cookie", "dossier_token=" + server_->token()}}; }
  httplib::Headers changing() const {
    return {{"Cookie", "dossier_token=" + server_->token()}, {"Origin", "http://" + host_}};
  }
  json get(const std::string& name = "complete") {
    auto r = client().Get("/api/packages/" + name + "/referral", reading());
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r ? json::parse(r->body) : json();
  }
  httplib::Result validate(const json& values, const std::string& name = "complete") {
    return client().Post("/api/packages/" + name + "/referral/validate", changing(), json{{"values", values}}.dump(), "application/json");
  }
  httplib::Result put(const json& values, const std::string& name = "complete") {
    return client().Put("/api/packages/" + name + "/referral", changing(), json{{"values", values}}.dump(), "application/json");
  }
  fs::path file() const { return dir_.path() / "complete" / "referral.xml"; }
  Status finding(const std::string& rule) {
    app::CheckOptions options;
    options.data_dir = test::source_dir();
    auto report = app::run_check(dir_.path() / "complete", options, words());
    EXPECT_TRUE(report) << report.error().message;
    for (const auto& f : report->findings)
      if (f.rule == rule) return f.status;
    ADD_FAILURE() << "no finding " << rule;
    return Status::info;
  }
  void no_temporary_file() {
    for (const auto& e : fs::directory_iterator(dir_.path() / "complete"))
      EXPECT_NE(e.path().filename().string().rfind(".dossier-", 0), 0u) << "a temporary file is left: " << e.path();
  }

  TempDir dir_;
  std::unique_ptr<test::web::RunningServer> running_;
  web::Server* server_ = nullptr;
  std::string host_;
};

TEST_F(WebReferral, GetGivesTheFormAndTheFilesValues) {
  const json got = get();
  ASSERT_TRUE(got.contains("form"));
  EXPECT_EQ(got["editable"], true);
  EXPECT_TRUE(got["issues"].empty()) << got["issues"].dump();
  auto form = web::derive_form(xsd(), words());
  EXPECT_EQ(got["form"], *form);
  EXPECT_EQ(got["values"], *web::read_values(*form, test::read_text(file())));
  const json& v = got["values"];
  EXPECT_EQ(v["client"]["@pseudonym"], "CL-2026-0042");
  EXPECT_EQ(v["client"]["@gender"], "female");
  EXPECT_EQ(v["residence"]["@status"], "lawful");
  EXPECT_EQ(v["residence"]["@valid-until"], "");
  EXPECT_EQ(v["situation"]["@urgent"], "false");
  EXPECT_EQ(v["situation"]["current-care"]["@type"], "protected-living");
  EXPECT_EQ(v["situation"]["current-care"]["#text"], "Beschermd wonen Voorbeeldstad sinds augustus 2026.");
  EXPECT_EQ(v["exploitation"]["form"], json::array({"sexual", "criminal"}));
  EXPECT_EQ(v["problems"]["problem"].size(), 3u);
  EXPECT_EQ(v["problems"]["problem"][2]["@status"], "suspected");
  EXPECT_EQ(v["referrer"]["organisation"], "Zorgcoördinatie Mensenhandel Regio Voorbeeld");
  EXPECT_EQ(v["placement"]["children"]["@count"], "0");
  EXPECT_FALSE(v.contains("documents"));
  // In English on request.
  auto en = client().Get("/api/packages/complete/referral?lang=en", reading());
  EXPECT_EQ((*item_at(json::parse(en->body)["form"], "referral/client/@pseudonym"))["label"], "Pseudonym");
}

TEST_F(WebReferral, ValidateNamesTheFieldsAndWritesNothing) {
  const std::string before = test::read_text(file());
  json values = get()["values"];
  values["client"]["@pseudonym"] = "Jan Jansen";
  values["residence"]["@status"] = "asylum";
  auto r = validate(values);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json issues = json::parse(r->body)["issues"];
  EXPECT_TRUE(names_field(issues, "referral/client/@pseudonym")) << issues.dump(1);
  EXPECT_TRUE(names_field(issues, "referral/residence/@status")) << issues.dump(1);
  EXPECT_EQ(test::read_text(file()), before);
  no_temporary_file();
  // Valid values: no issue, and still nothing written.
  values = get()["values"];
  values["client"]["@pseudonym"] = "CL-2026-0043";
  auto fine = validate(values);
  EXPECT_TRUE(json::parse(fine->body)["issues"].empty()) << fine->body;
  EXPECT_EQ(test::read_text(file()), before);
}

TEST_F(WebReferral, PutSavesWhatTheCheckThenSees) {
  EXPECT_EQ(finding("residence.lawful"), Status::passed);
  const std::string before = test::read_text(file());
  json values = get()["values"];
  values["residence"]["@status"] = "none";
  values["client"]["@pseudonym"] = "CL-2026-0043";
  auto r = put(values);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["saved"], true);
  const std::string after = test::read_text(file());
  const Referral parsed = Referral::parse(after, xsd());
  EXPECT_TRUE(parsed.valid());
  EXPECT_NE(after.find("<!-- Synthetic example: every person, organisation and fact here is invented. -->"), std::string::npos);
  EXPECT_EQ(after.substr(after.find("  <documents>")), before.substr(before.find("  <documents>")));
  EXPECT_EQ(parsed.documents().size(), 7u);
  EXPECT_EQ(test::replace_once(test::replace_once(after, "CL-2026-0043", "CL-2026-0042"), "status=\"none\"", "status=\"lawful\""), before)
      << "only the two values changed";
  EXPECT_EQ(finding("residence.lawful"), Status::failed) << "`dossier check` sees the change";
  EXPECT_EQ(get()["values"], values);
  // The page's package view follows too.
  auto report = json::parse(client().Get("/api/packages/complete", reading())->body);
  EXPECT_EQ(report["verdict"], "not-eligible");
  no_temporary_file();
  // The same values again: nothing to write.
  auto again = put(values);
  EXPECT_EQ(json::parse(again->body)["saved"], false);
  EXPECT_EQ(test::read_text(file()), after);
}

TEST_F(WebReferral, PutOfInvalidValuesIsRefusedAndLeavesTheFile) {
  const std::string before = test::read_text(file());
  json values = get()["values"];
  values["client"]["@pseudonym"] = "x";
  values["exploitation"]["form"].push_back("smuggling");
  values["motivation"] = std::string("tab\tis fine, a bell \x07 is not");
  auto r = put(values);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  const json issues = json::parse(r->body)["issues"];
  EXPECT_TRUE(names_field(issues, "referral/client/@pseudonym")) << issues.dump(1);
  EXPECT_TRUE(names_field(issues, "referral/exploitation/form[2]")) << issues.dump(1);
  EXPECT_TRUE(names_field(issues, "referral/motivation")) << issues.dump(1);
  EXPECT_EQ(test::read_text(file()), before);
  no_temporary_file();
  // A required field emptied: refused too, naming it.
  values = get()["values"];
  values["referrer"]["coordinator"] = "";
  values["situation"]["@urgent"] = "";
  auto emptied = put(values);
  EXPECT_EQ(emptied->status, 422);
  EXPECT_TRUE(names_field(json::parse(emptied->body)["issues"], "referral/referrer/coordinator")) << emptied->body;
  EXPECT_TRUE(names_field(json::parse(emptied->body)["issues"], "referral/situation/@urgent")) << emptied->body;
  EXPECT_EQ(test::read_text(file()), before);
}

TEST_F(WebReferral, ABsnLikeNumberIsAWarningBesideItsField) {
  json values = get()["values"];
  values["motivation"] = "Bekend onder nummer 123456782.";
  auto r = validate(values);
  const json issues = json::parse(r->body)["issues"];
  ASSERT_TRUE(names_field(issues, "referral/motivation")) << issues.dump(1);
  EXPECT_EQ(issues[0]["severity"], "warning");
  EXPECT_FALSE(web::has_errors(issues));
}

TEST_F(WebReferral, NamesStayInsideTheWorkspace) {
  const fs::path outside = dir_.path().parent_path() / ("outside-" + dir_.path().filename().string());
  fs::copy(dir_.path() / "complete", outside, fs::copy_options::recursive);
  fs::create_directory_symlink(outside, dir_.path() / "link");
  // A package whose referral.xml is a link to a file outside.
  fs::create_directory(dir_.path() / "linked-file");
  fs::create_symlink(outside / "referral.xml", dir_.path() / "linked-file" / "referral.xml");
  const std::string outside_before = test::read_text(outside / "referral.xml");
  const json values = get()["values"];
  for (const std::string name : {"..", "%2e%2e", "%2E%2E", ".", "link", "linked-file", "complete%2F..%2F..", ".hidden", "nothing-here", "complete%00x"}) {
    auto g = client().Get("/api/packages/" + name + "/referral", reading());
    ASSERT_TRUE(g) << name;
    EXPECT_TRUE(g->status == 400 || g->status == 404) << name << ": " << g->status;
    auto p = put(values, name);
    ASSERT_TRUE(p) << name;
    EXPECT_TRUE(p->status == 400 || p->status == 404) << name << ": " << p->status;
    auto v = validate(values, name);
    EXPECT_TRUE(v->status == 400 || v->status == 404) << name << ": " << v->status;
  }
  EXPECT_EQ(test::read_text(outside / "referral.xml"), outside_before);
  fs::remove_all(outside);
}

TEST_F(WebReferral, AZipPackageIsReadNeverChanged) {
  {
    auto zip = io::ZipWriter::create(dir_.path() / "packed.zip");
    ASSERT_TRUE(zip);
    const std::string text = test::read_text(file());
    ASSERT_TRUE(zip->add_deflated("referral.xml", std::vector<std::uint8_t>(text.begin(), text.end())));
    ASSERT_TRUE(zip->close());
  }
  const std::string zip_before = test::read_text(dir_.path() / "packed.zip");
  const json got = get("packed.zip");
  EXPECT_EQ(got["editable"], false);
  EXPECT_NE(got["reason"].get<std::string>().find(".zip"), std::string::npos);
  EXPECT_EQ(got["values"]["client"]["@pseudonym"], "CL-2026-0042");
  json values = got["values"];
  values["client"]["@pseudonym"] = "CL-2026-0043";
  auto p = put(values, "packed.zip");
  EXPECT_EQ(p->status, 400);
  EXPECT_NE(json::parse(p->body)["error"].get<std::string>().find(".zip"), std::string::npos) << p->body;
  EXPECT_EQ(validate(values, "packed.zip")->status, 400);
  EXPECT_EQ(test::read_text(dir_.path() / "packed.zip"), zip_before);
}

TEST_F(WebReferral, BodiesAreSmallJsonFromThisServersPages) {
  const std::string before = test::read_text(file());
  const json values = get()["values"];
  json big = values;
  big["motivation"] = std::string(300 * 1024, 'a');
  EXPECT_EQ(put(big)->status, 413);
  EXPECT_EQ(validate(big)->status, 413);
  for (const std::string body : {"", "{", "[]", "{\"values\": 3}", "{\"other\": {}}", "{\"values\": {\"client\": \"x\"}}",
                                 "{\"values\": {\"problems\": {\"problem\": {}}}}", "\xff\xfe"}) {
    auto r = client().Put("/api/packages/complete/referral", changing(), body, "application/json");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body << ": " << r->body;
    EXPECT_EQ(client().Post("/api/packages/complete/referral/validate", changing(), body, "application/json")->status, 400) << body;
  }
  // A change needs this server's Origin (the server's guard); reading does not.
  const std::string body = json{{"values", values}}.dump();
  EXPECT_EQ(client().Put("/api/packages/complete/referral", reading(), body, "application/json")->status, 403);
  auto foreign = reading();
  foreign.emplace("Origin", "http://evil.example");
  EXPECT_EQ(client().Put("/api/packages/complete/referral", foreign, body, "application/json")->status, 403);
  EXPECT_EQ(client().Post("/api/packages/complete/referral/validate", reading(), body, "application/json")->status, 403);
  EXPECT_EQ(client().Get("/api/packages/complete/referral")->status, 403) << "no token";
  EXPECT_EQ(test::read_text(file()), before);
}

TEST_F(WebReferral, ConcurrentSavesLandOneWholeVersion) {
  json values = get()["values"];
  values["client"]["@pseudonym"] = "CL-2026-0100";
  ASSERT_EQ(put(values)->status, 200);
  const std::string base = test::read_text(file());
  std::vector<std::string> pseudonyms;
  for (int i = 1; i <= 8; ++i) pseudonyms.push_back("CL-2026-010" + std::to_string(i));
  std::vector<std::thread> threads;
  std::vector<int> statuses(pseudonyms.size(), 0);
  for (std::size_t i = 0; i < pseudonyms.size(); ++i) {
    threads.emplace_back([&, i] {
      json mine = values;
      mine["client"]["@pseudonym"] = pseudonyms[i];
      auto r = put(mine);
      statuses[i] = r ? r->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  const std::string after = test::read_text(file());
  EXPECT_TRUE(Referral::parse(after, xsd()).valid());
  int matches = 0;
  for (const auto& p : pseudonyms)
    if (after == test::replace_once(base, "CL-2026-0100", p)) ++matches;
  EXPECT_EQ(matches, 1) << after;
  no_temporary_file();
}

}  // namespace
}  // namespace dossier
