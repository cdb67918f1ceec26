// Assembly: see app/assemble.hpp and docs/assembly.md.
#include "app/assemble.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kainjow/mustache.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "app/data_files.hpp"
#include "app/paged_template.hpp"
#include "core/profile.hpp"
#include "core/unicode.hpp"
#include "crypto/base64.hpp"
#include "io/fd.hpp"
#include "io/package.hpp"
#include "io/paged_pdf.hpp"
#include "io/staging.hpp"

namespace dossier::app {
namespace {

namespace mu = kainjow::mustache;

std::string word(const Catalogue& m, const std::string& key, const std::string& fallback) {
  return m.has(key) ? m.get(key) : fallback;
}

mu::data words(const Catalogue& m) { return template_words(m, "assemble."); }

mu::data list() { return mu::data{mu::data::type::list}; }

Result<std::string> render(const std::string& data_dir, const std::string& name, const mu::data& context) {
  return render_template(data_dir, "templates/assembly/" + name, context);
}

Result<io::PagedPdf> render_pages(const std::string& data_dir, const std::string& name, const mu::data& context,
                                  const std::string& title, const Catalogue& m) {
  auto doc = paged_document(data_dir, "templates/assembly/" + name, context, title, m);
  if (!doc) return tl::unexpected(doc.error());
  return io::render_paged_pdf(*doc);
}

// The referral's facts as label/value rows (what a reviewer reads first).
mu::data referral_facts(const std::optional<std::string>& xml, const std::string& purpose, const Catalogue& m) {
  mu::data rows = list();
  auto add = [&](const std::string& key, const std::string& value) {
    mu::data row{mu::data::type::object};
    row.set("label", m.get("assemble." + key));
    row.set("value", value.empty() ? std::string("—") : shown(value));
    rows.push_back(row);
  };
  pugi::xml_document doc;
  pugi::xml_node r;
  if (xml && doc.load_buffer(xml->data(), xml->size(), pugi::parse_default, pugi::encoding_utf8))
    r = doc.child("referral");
  auto text = [&](const char* path) { return std::string(r.select_node(path).node().text().get()); };
  auto attr = [&](const char* path, const char* name) {
    return std::string(r.select_node(path).node().attribute(name).value());
  };
  auto value_word = [&](const std::string& group, const std::string& v) {
    return v.empty() ? std::string() : word(m, "value." + group + "." + v, v);
  };
  auto yes_no = [&](const std::string& v) {
    if (v == "true" || v == "1") return m.get("assemble.yes");
    if (v == "false" || v == "0") return m.get("assemble.no");
    return m.get("assemble.unknown");
  };
  auto joined = [](const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return a + ": " + b;
  };
  add("pseudonym", attr("client", "pseudonym"));
  add("organisation", text("referrer/organisation"));
  add("region", text("referrer/region"));
  add("purpose", m.get(purpose == "advice-request" ? "assemble.purpose-advice-request" : "assemble.purpose-referral"));
  add("residence", value_word("residence", attr("residence", "status")));
  add("current-care", joined(value_word("care", attr("situation/current-care", "type")), text("situation/current-care")));
  add("local-attempts", text("situation/local-attempts"));
  add("urgent", yes_no(attr("situation", "urgent")));
  add("psychiatric-crisis", yes_no(attr("situation", "psychiatric-crisis")));
  std::string forms;
  for (auto f : r.select_nodes("exploitation/form")) {
    if (!forms.empty()) forms += ", ";
    forms += value_word("form", f.node().text().get());
  }
  add("exploitation", forms);
  std::string problems;
  for (auto p : r.select_nodes("problems/problem")) {
    if (!problems.empty()) problems += "; ";
    problems += value_word("area", p.node().attribute("area").value()) + " (" +
                value_word("status", p.node().attribute("status").value()) + ")";
    if (const std::string t = p.node().text().get(); !t.empty()) problems += ": " + t;
  }
  add("problems", problems);
  if (r.child("placement")) {
    std::string children = attr("placement/children", "count");
    add("placement", m.get("assemble.placement-facts",
                           {{"wlz", yes_no(attr("placement", "wlz-indication"))},
                            {"detox", yes_no(attr("placement", "detox-needed"))},
                            {"children", children.empty() ? m.get("assemble.unknown") : children}}));
    add("unsafe-regions", text("placement/unsafe-regions"));
  }
  add("trafficking-confirmation",
      joined(value_word("by", attr("trafficking-confirmation", "by")), text("trafficking-confirmation")));
  add("consent", joined(value_word("basis", attr("consent", "basis")), text("consent")));
  add("motivation", text("motivation"));
  return rows;
}

// Failures and warnings, per kind (what to fix, what CoMensha weighs) and ground.
void findings_context(const Report& report, const Catalogue& m, const VerdictWords& words, mu::data& ctx) {
  std::vector<std::string> grounds = known_grounds();
  for (const auto& f : report.findings)
    if (std::find(grounds.begin(), grounds.end(), f.ground) == grounds.end()) grounds.push_back(f.ground);
  mu::data kinds = list();
  int passed = 0;
  bool any = false;
  for (const auto& f : report.findings)
    if (f.status == Status::passed) ++passed;
  for (const RuleKind kind : {RuleKind::completeness, RuleKind::eligibility}) {
    mu::data gs = list();
    bool kind_any = false;
    for (const auto& ground : grounds) {
      mu::data fs = list();
      bool ground_any = false;
      for (const auto& f : report.findings) {
        if (f.ground != ground || f.kind != kind) continue;
        if (f.status != Status::failed && f.status != Status::warning) continue;
        ground_any = true;
        mu::data item{mu::data::type::object};
        const std::string status_key = f.status == Status::failed && kind == RuleKind::eligibility
                                           ? std::string("status.not-met")
                                           : std::string("status.") + status_name(f.status);
        item.set("status", m.get(status_key));
        item.set("status_class", status_name(f.status));
        item.set("message", shown(f.message));
        item.set("rule", f.rule);
        mu::data notes = list();
        for (const auto& n : f.notes) {
          mu::data note{mu::data::type::object};
          note.set("text", shown(n.file.empty() ? n.note : n.file + ": " + n.note));
          notes.push_back(note);
        }
        item.set("has_notes", mu::data(f.notes.empty() ? mu::data::type::bool_false : mu::data::type::bool_true));
        item.set("notes", notes);
        item.set("has_fix", mu::data(f.fix.empty() ? mu::data::type::bool_false : mu::data::type::bool_true));
        item.set("fix", shown(f.fix));
        item.set("fix_label", m.get("report.fix"));
        fs.push_back(item);
      }
      if (!ground_any) continue;
      kind_any = true;
      mu::data g{mu::data::type::object};
      g.set("name", m.get("ground." + ground));
      g.set("findings", fs);
      gs.push_back(g);
    }
    if (!kind_any) continue;
    any = true;
    mu::data k{mu::data::type::object};
    k.set("title", m.get(std::string("report.kind.") + rule_kind_name(kind)));
    k.set("grounds", gs);
    kinds.push_back(k);
  }
  ctx.set("kinds", kinds);
  ctx.set("no_findings", mu::data(any ? mu::data::type::bool_false : mu::data::type::bool_true));
  ctx.set("passed_count", m.get("assemble.passed-count", {{"count", std::to_string(passed)}}));
  ctx.set("verdict", verdict_line(report, m, words));
  ctx.set("verdict_class", verdict_name(report.verdict));
}

std::string text_word(const DocumentFacts& d, const Catalogue& m) {
  if (d.outcome != DocOutcome::ok) return m.get(std::string("doc.outcome.") + doc_outcome_name(d.outcome));
  const std::string confidence = std::to_string(std::max(0, d.ocr_confidence));
  if (d.text_source == "text-layer") return m.get("assemble.text-layer");
  if (d.text_source == "ocr") return m.get("assemble.text-ocr", {{"confidence", confidence}});
  if (d.text_source == "mixed") return m.get("assemble.text-mixed", {{"confidence", confidence}});
  return m.get("assemble.text-none");
}

std::string facts_found(const DocumentFacts& d, Lang lang) {
  std::string out;
  for (const auto& f : d.facts) {
    const std::string& label = lang == Lang::nl ? f.label_nl : (f.label_en.empty() ? f.label_nl : f.label_en);
    if (!out.empty()) out += ", ";
    out += label.empty() ? f.id : label;
  }
  return out.empty() ? std::string("—") : out;
}

// Why a document is not in dossier.pdf, in words, or "" when it is to be copied.
std::string left_out_because(const DocumentFacts& d, bool have_bytes, const Catalogue& m) {
  if (d.outcome == DocOutcome::ok && have_bytes) return {};
  std::string why = m.get(std::string("doc.outcome.") + doc_outcome_name(d.outcome == DocOutcome::ok ? DocOutcome::not_read : d.outcome));
  if (!d.detail.empty()) why += " (" + d.detail + ")";
  return why;
}

}  // namespace

AssemblyNames assembly_names(Lang lang) {
  AssemblyNames n;
  n.cover = lang == Lang::nl ? "voorblad.pdf" : "cover-sheet.pdf";
  n.report = lang == Lang::nl ? "rapport.html" : "report.html";
  n.sealed_report = lang == Lang::nl ? "rapport-bij-verzegelen.html" : "report-as-sealed.html";
  return n;
}

std::filesystem::path reading_copy_dir(const std::filesystem::path& dir, Lang lang) {
  std::filesystem::path d = dir;
  while (d.has_parent_path() && !d.has_filename()) d = d.parent_path();  // "uit/" names "uit"
  return d.parent_path() / (d.filename().string() + (lang == Lang::nl ? "-leesexemplaar" : "-reading-copy"));
}

Result<AssemblyOutput> assemble_dossier(const Report& report, const std::optional<std::string>& referral_xml,
                                        const std::vector<std::vector<std::uint8_t>>& documents,
                                        const TextLayers& text_layers,
                                        const AssemblySettings& settings, const Catalogue& m, int dossier_fd,
                                        const std::vector<std::string>& thumbnails) {
  // The helper starts now, so that loading its libraries overlaps what is prepared here.
  auto helper = io::AssemblyHelper::start(dossier_fd, settings.limits);
  if (!helper) return tl::unexpected(helper.error());
  const Lang lang = m.lang();
  auto profile = load_profile(settings.data_dir, report.profile_id);
  if (!profile) return tl::unexpected(profile.error());

  // The dossier's order: the profile's evidence types in order, then documents of no known type;
  // within a type, the package's order.
  const auto& types = profile->evidence();
  auto rank = [&](const DocumentFacts& d) {
    for (std::size_t i = 0; i < types.size(); ++i)
      if (types[i].id == d.evidence) return i;
    return types.size();
  };
  std::vector<std::size_t> order(report.documents.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rank(report.documents[a]) < rank(report.documents[b]); });

  std::string pseudonym = "—";
  {
    pugi::xml_document doc;
    if (referral_xml && doc.load_buffer(referral_xml->data(), referral_xml->size())) {
      const std::string p = doc.child("referral").child("client").attribute("pseudonym").value();
      if (!p.empty()) pseudonym = shown(p);
    }
  }
  const std::string profile_title = profile->title().get(lang);
  const std::string cover_title = m.get("assemble.cover-title", {{"pseudonym", pseudonym}});
  const std::string dossier_title =
      m.get("assemble.dossier-title", {{"pseudonym", pseudonym}, {"profile", profile_title}});

  mu::data ctx{mu::data::type::object};
  ctx.set("t", words(m));
  ctx.set("lang", lang_code(lang));
  ctx.set("title", cover_title);
  ctx.set("report_title", m.get("assemble.report-title", {{"pseudonym", pseudonym}}));
  ctx.set("subtitle", m.get("assemble.subtitle", {{"profile", profile_title + " (" + report.profile_id + " " +
                                                                   report.profile_version + ")"},
                                                  {"date", report.check_date}}));
  ctx.set("facts", referral_facts(referral_xml, settings.purpose, m));
  // After open, the verdict says that it is the one sealed.
  VerdictWords verdict_words;
  if (settings.signature) {
    verdict_words.complete = "open.verdict.complete";
    if (settings.signature->purpose == "advice-request") verdict_words.not_eligible = "open.verdict.not-eligible";
  }
  findings_context(report, m, verdict_words, ctx);
  ctx.set("made", m.get("assemble.made", {{"version", DOSSIER_VERSION_APP}}));

  // The parts of dossier.pdf, their notices, and the outline's sections. A document left out
  // has a notice that says why; one that qpdf cannot copy after all gets the generic notice.
  io::AssemblyInput input;
  std::vector<io::PagedPdf> notices(order.size());
  mu::data gctx{mu::data::type::object};
  gctx.set("title", m.get("assemble.notice-copy-title"));
  gctx.set("body", m.get("assemble.notice-copy-body"));
  auto bytes_of = [](const std::string& s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  std::map<std::string, int> per_folder, seen_in_folder;
  for (std::size_t i : order) ++per_folder[report.documents[i].folder];
  std::vector<io::AssemblySection> sections;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const DocumentFacts& d = report.documents[order[k]];
    const auto& bytes = documents.at(order[k]);
    const Evidence* type = profile->evidence_by_id(d.evidence);
    const std::string type_name = type != nullptr ? type->name.get(lang) : m.get("assemble.outline-other");
    std::string why = left_out_because(d, !bytes.empty(), m);
    if (!why.empty()) {
      mu::data nctx{mu::data::type::object};
      nctx.set("title", m.get("assemble.notice-title", {{"path", shown(d.path)}}));
      nctx.set("body", m.get("assemble.notice-body", {{"type", type_name}, {"why", why}, {"path", shown(d.path)}}));
      auto notice = render_pages(settings.data_dir, "notice.mustache", nctx, dossier_title, m);
      if (!notice) return tl::unexpected(notice.error());
      notices[k] = std::move(*notice);
    }

    io::AssemblyPart part;
    part.outline = shown(d.path.substr(d.path.find_last_of('/') + 1));
    const std::string folder = d.folder.empty() ? std::string("-") : d.folder;
    part.label = folder;
    if (per_folder[d.folder] > 1) part.label += " (" + std::to_string(++seen_in_folder[d.folder]) + ")";
    if (why.empty()) {
      part.pdf = bytes;
      if (order[k] < thumbnails.size()) part.thumbnail = bytes_of(thumbnails[order[k]]);
      if (order[k] < text_layers.size())
        for (const auto& l : text_layers[order[k]])
          part.layers.push_back({l.page, l.turn,
                                 std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(l.pdf.data()),
                                                               l.pdf.size())});
    }
    if (!why.empty()) part.notice = bytes_of(notices[k].pdf);  // the others get the generic notice below
    input.parts.push_back(std::move(part));
    std::string section = type_name;
    if (!section.empty() && section[0] >= 'a' && section[0] <= 'z') section[0] = static_cast<char>(section[0] - 'a' + 'A');
    if (sections.empty() || sections.back().outline != section) sections.push_back({section, {}});
    sections.back().parts.push_back(k);
  }
  input.sections = std::move(sections);

  // The cover sheet names where each document is in dossier.pdf. That follows from the pages of
  // the cover, each document (as the check counted them) and each notice: the cover is laid out
  // until its own page count is the one it assumed, and the dossier made once. Only when qpdf
  // disagrees (a page count, a document it cannot copy) are both made again with what it found.
  auto predict = [&](int cover_pages) {
    io::Assembly a;
    a.cover_pages = cover_pages;
    int page = cover_pages;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const DocumentFacts& d = report.documents[order[k]];
      io::AssembledPart p;
      p.included = input.parts[k].pdf.size() > 0;
      p.first_page = page;
      p.pages = p.included ? std::max(d.pages, 1) : notices[k].pages;
      p.layers = static_cast<int>(input.parts[k].layers.size());
      page += p.pages;
      a.parts.push_back(std::move(p));
    }
    a.pages = page;
    return a;
  };
  auto same_places = [](const io::Assembly& x, const io::Assembly& y) {
    if (x.cover_pages != y.cover_pages || x.parts.size() != y.parts.size()) return false;
    for (std::size_t k = 0; k < x.parts.size(); ++k)
      if (x.parts[k].included != y.parts[k].included || x.parts[k].first_page != y.parts[k].first_page ||
          x.parts[k].layers != y.parts[k].layers)
        return false;
    return true;
  };
  auto document_rows = [&](const io::Assembly& a) {
    mu::data rows = list();
    for (std::size_t k = 0; k < order.size(); ++k) {
      const DocumentFacts& d = report.documents[order[k]];
      const Evidence* type = profile->evidence_by_id(d.evidence);
      mu::data row{mu::data::type::object};
      row.set("type", type != nullptr ? type->name.get(lang) : (d.folder.empty() ? std::string("—") : shown(d.folder)));
      row.set("path", shown(d.path));
      row.set("pages", d.pages > 0 ? std::to_string(d.pages) : std::string("—"));
      row.set("date", d.date.value_or(d.declared_date.value_or("—")));
      row.set("text", text_word(d, m));
      row.set("facts", facts_found(d, lang));
      row.set("sha", d.sha256.substr(0, 12));
      std::string where, note;
      const std::string why = left_out_because(d, !documents.at(order[k]).empty(), m);
      const auto& p = a.parts.at(k);
      if (p.included) {
        where = m.get("assemble.in-dossier", {{"page", std::to_string(p.first_page + 1)}});
        if (p.layers > 0) where += "; " + m.get("assemble.layers", {{"count", std::to_string(p.layers)}});
      } else {
        where = m.get("assemble.not-in-dossier", {{"why", why.empty() ? m.get("assemble.why-copy", {{"detail", p.note}}) : why}});
        note = where;
      }
      if (!p.thumbnail.empty())
        row.set("thumbnail", "data:image/png;base64," +
                                 crypto::base64::encode(std::span<const std::uint8_t>(
                                     reinterpret_cast<const std::uint8_t*>(p.thumbnail.data()), p.thumbnail.size()), true));
      row.set("where", shown(where));
      if (!note.empty()) row.set("note", shown(note));
      if (!d.limit_note.empty()) row.set("note", shown(note.empty() ? d.limit_note : note + "; " + d.limit_note));
      rows.push_back(row);
    }
    return rows;
  };

  input.cover_outline = m.get("assemble.outline-cover");
  input.cover_label = m.get("assemble.label-cover");
  input.title = dossier_title;
  input.subject = profile_title;
  input.language = lang_code(lang);
  // The cover for the places in `a`, until it has the pages `a` assumed (at most a few tries: a
  // longer page number can wrap a line). The first try is only laid out, not drawn: it mostly
  // finds that the cover is longer than the one page first assumed.
  auto lay_cover = [&](io::Assembly a) -> Result<io::PagedPdf> {
    for (int attempt = 0;; ++attempt) {
      ctx.set("documents", document_rows(a));
      auto doc = paged_document(settings.data_dir, "templates/assembly/cover.mustache", ctx, cover_title, m);
      if (!doc) return tl::unexpected(doc.error());
      Result<io::PagedPdf> cover = attempt == 0 ? io::count_paged_pages(*doc).map([](int n) { return io::PagedPdf{{}, n}; })
                                                : io::render_paged_pdf(*doc);
      if (!cover) return cover;
      if (cover->pages == a.cover_pages) {
        if (attempt > 0) return cover;
        return io::render_paged_pdf(*doc);
      }
      if (attempt == 3) return cover;
      const int shift = cover->pages - a.cover_pages;
      a.cover_pages = cover->pages;
      for (auto& p : a.parts) p.first_page += shift;
    }
  };
  // The cover is laid out on a thread of its own while the helper is handed its plan and copies
  // the documents' pages; the helper puts it in front when it comes (io::LateCover).
  Result<io::PagedPdf> final_cover = fail(Errc::internal, "the cover sheet was not laid out");
  auto cover_laid = std::async(std::launch::async, [&] { return lay_cover(predict(1)); });
  // Meanwhile the notice for a document that qpdf cannot copy after all (the check found it
  // sound): rare, but the helper must have it at hand.
  auto generic = render_pages(settings.data_dir, "notice.mustache", gctx, dossier_title, m);
  if (!generic) {
    cover_laid.wait();
    return tl::unexpected(generic.error());
  }
  for (auto& part : input.parts)
    if (part.notice.empty()) part.notice = bytes_of(generic->pdf);
  auto assembled = helper->assemble(input, [&]() -> Result<std::span<const std::uint8_t>> {
    final_cover = cover_laid.get();
    if (!final_cover) return tl::unexpected(final_cover.error());
    return bytes_of(final_cover->pdf);
  });
  if (cover_laid.valid()) cover_laid.wait();  // the helper failed before it asked for the cover
  if (!assembled) return tl::unexpected(assembled.error());
  if (!final_cover) return tl::unexpected(final_cover.error());
  const io::Assembly expected = predict(final_cover->pages);
  if (!same_places(*assembled, expected)) {
    auto again = lay_cover(*assembled);
    if (!again) return tl::unexpected(again.error());
    final_cover = std::move(again);
    input.cover = bytes_of(final_cover->pdf);
    if (ftruncate(dossier_fd, 0) != 0 || lseek(dossier_fd, 0, SEEK_SET) != 0)
      return fail(Errc::io, std::string("dossier.pdf: ") + std::strerror(errno));
    assembled = io::assemble_pdf(input, dossier_fd, settings.limits);
    if (!assembled) return tl::unexpected(assembled.error());
  }

  AssemblyOutput out;
  // dossier.pdf is complete: it goes to the disk while the report is made (on a descriptor of
  // its own, whoever closes dossier_fd when).
  out.dossier_synced = std::async(std::launch::async, [fd = io::UniqueFd(fcntl(dossier_fd, F_DUPFD_CLOEXEC, 0))] {
    if (!fd) return errno;
    return fsync(fd.get()) == 0 ? 0 : errno;
  });
  out.helper.emplace(std::move(*helper));  // reaped when the output goes: its exit overlaps the rest
  out.cover_pdf = std::move(final_cover->pdf);
  out.assembly = std::move(*assembled);
  for (std::size_t k = 0; k < order.size(); ++k) {
    auto& p = out.assembly.parts.at(k);
    const DocumentFacts& d = report.documents[order[k]];
    p.name = d.path;
    if (const std::string why = left_out_because(d, !documents.at(order[k]).empty(), m); !why.empty()) p.note = why;
  }
  ctx.set("documents", document_rows(out.assembly));
  if (settings.signature) {
    const auto& s = *settings.signature;
    mu::data sig{mu::data::type::object};
    sig.set("purpose", m.get(s.purpose == "advice-request" ? "assemble.purpose-advice-request" : "assemble.purpose-referral"));
    sig.set("signer", shown(s.signer_key_id));
    sig.set("dossier_id", shown(s.dossier_id));
    sig.set("signed_at", shown(s.signed_at));
    sig.set("digests", m.get("assemble.digests", {{"count", std::to_string(s.digests)}}));
    sig.set("reading_copy",
            s.sealed_sha256.empty()
                ? m.get("assemble.sealed-copy-none")
                : m.get("assemble.sealed-copy", {{"dossier", shown(s.sealed_dossier)},
                                                 {"cover", shown(s.sealed_cover)},
                                                 {"sha256", shown(s.sealed_sha256)}}));
    ctx.set("signature", sig);
  }
  ctx.set("signature_note", m.get(settings.sealing ? "assemble.signature-sealing" : "assemble.signature-none"));
  auto html = render(settings.data_dir, "report.html.mustache", ctx);
  if (!html) return tl::unexpected(html.error());
  out.report_html = std::move(*html);
  return out;
}

FontWarmUp::FontWarmUp() : thread_([] { io::warm_up_fonts(); }) {}

CheckOptions keeping_documents(const CheckOptions& check, std::vector<std::vector<std::uint8_t>>& documents,
                               std::vector<std::uint8_t>& whole) {
  CheckOptions keeping = check;
  keeping.tap.piece = [&documents](std::size_t i, std::span<const std::uint8_t> piece) -> Result<void> {
    auto& d = documents.at(i);
    d.insert(d.end(), piece.begin(), piece.end());
    return {};
  };
  keeping.tap.end = [&whole](std::size_t i) -> Result<void> {
    whole.at(i) = 1;
    return {};
  };
  return keeping;
}

Result<io::Assembly> write_assembly(const std::filesystem::path& folder, const Report& report,
                                    const std::optional<std::string>& referral_xml,
                                    const std::vector<std::vector<std::uint8_t>>& documents,
                                    const TextLayers& text_layers,
                                    const AssemblySettings& settings, const Catalogue& messages,
                                    const std::vector<std::string>& thumbnails) {
  const AssemblyNames names = assembly_names(messages.lang());
  auto remove_all = [&] {
    std::error_code ec;
    for (const auto& n : {names.dossier, names.cover, names.report}) std::filesystem::remove(folder / n, ec);
  };
  auto made = [&]() -> Result<AssemblyOutput> {
    const auto pdf_path = folder / names.dossier;
    io::UniqueFd fd(open(pdf_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return fail(Errc::io, pdf_path.string() + ": " + std::strerror(errno));
    auto out = assemble_dossier(report, referral_xml, documents, text_layers, settings, messages, fd.get(), thumbnails);
    if (!out) return out;
    if (const int err = out->dossier_synced.get(); err != 0) return fail(Errc::io, pdf_path.string() + ": " + std::strerror(err));
    if (auto w = io::write_new_file(folder / names.cover, out->cover_pdf); !w) return tl::unexpected(w.error());
    if (auto w = io::write_new_file(folder / names.report, out->report_html); !w) return tl::unexpected(w.error());
    return out;
  }();
  if (!made) {
    remove_all();
    return tl::unexpected(made.error());
  }
  return std::move(made->assembly);
}

Result<AssembleResult> run_assemble(const std::filesystem::path& package, const std::filesystem::path& out_dir,
                                    const CheckOptions& check_options, const AssemblySettings& settings,
                                    const Catalogue& messages) {
  AssembleResult result;
  result.names = assembly_names(messages.lang());
  result.out = out_dir;
  auto pkg = io::Package::open(package, check_options.package_limits);
  if (!pkg) {
    if (pkg.error().code == Errc::not_found) return tl::unexpected(pkg.error());
    auto report = run_check(package, check_options, messages);  // words the failure
    if (!report) return tl::unexpected(report.error());
    result.report = std::move(*report);
    return result;
  }
  std::size_t count = 0;
  std::uint64_t total = 0;
  for (const auto& f : pkg->files()) {
    total += f.size;
    if (f.path != "referral.xml") ++count;
  }
  // The documents are held in memory for the helper: a package over the limit is refused
  // before anything is read.
  if (total > settings.limits.max_input_bytes)
    return fail(Errc::limit, package.string() + ": the documents together are larger than the assembly limit of " +
                                 std::to_string(settings.limits.max_input_bytes >> 20) + " MiB (docs/limits.md)");
  auto staging = io::Staging::create(out_dir);
  if (!staging) return tl::unexpected(staging.error());

  // Every byte assembled is a byte the check judged: the documents are kept as the check reads them.
  std::vector<std::vector<std::uint8_t>> documents(count);
  std::vector<std::uint8_t> whole(count, 0);  // one byte each: written from several threads
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const std::optional<FontWarmUp> warm_up(std::in_place);
  auto checked = check_package(*pkg, package.string(), keeping_documents(check_options, documents, whole), messages);
  const auto checked_at = Clock::now();
  result.check_seconds = std::chrono::duration<double>(checked_at - started).count();
  if (!checked) return tl::unexpected(checked.error());
  result.report = std::move(checked->report);
  for (std::size_t i = 0; i < count; ++i)
    if (!whole[i]) documents[i].clear();
  if (result.report.documents.size() != count) return result;  // the package itself could not be judged

  auto made = write_assembly(staging->path(), result.report, checked->referral_xml, documents, checked->text_layers,
                             settings, messages, checked->thumbnails);
  if (!made) return tl::unexpected(made.error());
  result.assembly = std::move(*made);
  if (auto committed = staging->commit(); !committed) return tl::unexpected(committed.error());
  result.written = true;
  result.assembly_seconds = std::chrono::duration<double>(Clock::now() - checked_at).count();
  return result;
}

}  // namespace dossier::app
