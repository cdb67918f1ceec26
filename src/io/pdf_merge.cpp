// qpdf's part of the assembly: see io/pdf_merge.hpp (and io/pdf_structure.hpp for why C++17).
#include "io/pdf_merge.hpp"

#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dossier::io::detail {
namespace {

// dossier.pdf's writer: qpdf's output in 1 MiB writes to the descriptor, and the disk's
// writeback started on each 8 MiB written (sync_file_range), so that the caller's fsync at the
// end waits for the last few only. A memfd (seal's reading copy) ignores the writeback.
class FdSink final : public Pipeline {
 public:
  explicit FdSink(int fd) : Pipeline("dossier.pdf", nullptr), fd_(fd) { buffer_.reserve(kBuffer); }
  void write(unsigned char const* data, size_t len) override {
    while (len > 0) {
      const size_t n = std::min(len, kBuffer - buffer_.size());
      buffer_.insert(buffer_.end(), data, data + n);
      data += n;
      len -= n;
      if (buffer_.size() == kBuffer) flush();
    }
  }
  void finish() override { flush(); }
  bool ok() const { return ok_; }

 private:
  static constexpr size_t kBuffer = 1u << 20;
  static constexpr off_t kWriteback = 8 << 20;
  void flush() {
    const unsigned char* p = buffer_.data();
    size_t left = buffer_.size();
    while (ok_ && left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok_ = false;
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
      written_ += n;
    }
    buffer_.clear();
    if (ok_ && written_ - synced_ >= kWriteback) {
      (void)sync_file_range(fd_, synced_, written_ - synced_, SYNC_FILE_RANGE_WRITE);
      synced_ = written_;
    }
  }
  int fd_;
  bool ok_ = true;
  off_t written_ = 0, synced_ = 0;
  std::vector<unsigned char> buffer_;
};

using OH = QPDFObjectHandle;

std::unique_ptr<QPDF> open_pdf(const Bytes& b, const char* name) {
  auto q = std::make_unique<QPDF>();
  q->setSuppressWarnings(true);
  q->setAttemptRecovery(true);
  q->processMemoryFile(name, reinterpret_cast<const char*>(b.data), b.size);
  return q;
}

// What a page may do by itself in a viewer: annotations keep their looks but lose their actions
// (a link, a script, a form submission), and the page loses its own triggers. The dossier is
// read, not run (docs/assembly.md).
void disarm(QPDFPageObjectHelper page) {
  OH dict = page.getObjectHandle();
  if (dict.hasKey("/AA")) dict.removeKey("/AA");
  OH annots = dict.getKey("/Annots");
  if (!annots.isArray()) return;
  for (int i = 0; i < annots.getArrayNItems(); ++i) {
    OH a = annots.getArrayItem(i);
    if (!a.isDictionary()) continue;
    for (const char* key : {"/A", "/AA"})
      if (a.hasKey(key)) a.removeKey(key);
  }
}

// The bytes of a font object and everything it refers to (dictionaries in key order, streams
// as stored): equal for the same font, whichever file it came from.
void fingerprint(OH o, std::string& out, int depth) {
  if (depth > 8) throw std::runtime_error("a text layer's font is nested too deeply");
  if (o.isStream()) {
    fingerprint(o.getDict(), out, depth + 1);
    const auto data = o.getRawStreamData();
    out += "stream" + std::to_string(data->getSize()) + ":";
    out.append(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
  } else if (o.isDictionary()) {
    out += "<<";
    for (const auto& key : o.getKeys()) {  // a std::set: in order
      out += key + " ";
      fingerprint(o.getKey(key), out, depth + 1);
    }
    out += ">>";
  } else if (o.isArray()) {
    out += "[";
    for (int i = 0; i < o.getArrayNItems(); ++i) fingerprint(o.getArrayItem(i), out, depth + 1);
    out += "]";
  } else {
    out += o.unparse() + " ";
  }
}

// Lays the text-only page `layer` over `page` of `out`, scaled to the page's crop box as it is
// shown (its /Rotate undone), between a q/Q pair that keeps the page's own drawing state apart.
// The page's own content streams are not touched: two small streams are added around them.
// Tesseract writes the same font into every layer: `fonts` keeps the copies made so far by
// their bytes, and a layer whose font is one of them uses that copy.
void lay_text(QPDF& out, QPDFPageObjectHelper page, QPDF& layer, int turn, int n, std::map<std::string, OH>& fonts) {
  auto lpages = QPDFPageDocumentHelper(layer).getAllPages();
  if (lpages.empty()) throw std::runtime_error("the text layer has no page");
  OH form = lpages.front().getFormXObjectForPage();
  OH form_resources = form.getDict().getKey("/Resources");
  OH layer_fonts = form_resources.isDictionary() ? form_resources.getKey("/Font") : OH::newNull();
  OH shared_fonts = OH::newDictionary();
  if (layer_fonts.isDictionary()) {
    // The form is copied without its fonts; they are put back from the copies kept.
    OH rest = form_resources.shallowCopy();
    rest.removeKey("/Font");
    form.getDict().replaceKey("/Resources", rest);
    for (const auto& key : layer_fonts.getKeys()) {
      OH font = layer_fonts.getKey(key);
      std::string print;
      fingerprint(font, print, 0);
      auto known = fonts.find(print);
      if (known == fonts.end())
        known = fonts.emplace(print, out.copyForeignObject(font.isIndirect() ? font : layer.makeIndirectObject(font))).first;
      shared_fonts.replaceKey(key, known->second);
    }
  }
  OH fx = out.copyForeignObject(form);
  if (layer_fonts.isDictionary()) {
    OH copied = fx.getDict().getKey("/Resources");
    if (!copied.isDictionary()) {
      copied = OH::newDictionary();
      fx.getDict().replaceKey("/Resources", copied);
    }
    copied.replaceKey("/Font", shared_fonts);
  }
  if (turn != 0) {
    // Read turned clockwise by `turn`: turned back counter-clockwise by as much. placeFormXObject
    // fits the form's box as its /Matrix transforms it, so only the rotation is given here.
    const int c = turn == 180 ? -1 : 0;
    const int sn = turn == 90 ? 1 : turn == 270 ? -1 : 0;
    OH m = OH::newArray();
    for (int v : {c, sn, -sn, c, 0, 0}) m.appendItem(OH::newInteger(v));
    fx.getDict().replaceKey("/Matrix", m);
  }
  OH resources = page.getAttribute("/Resources", true);
  if (!resources.isDictionary()) {
    resources = OH::newDictionary();
    page.getObjectHandle().replaceKey("/Resources", resources);
  }
  OH xobjects = resources.getKey("/XObject");
  if (!xobjects.isDictionary()) {
    xobjects = OH::newDictionary();
  } else if (xobjects.isIndirect()) {
    xobjects = xobjects.shallowCopy();  // shared with other pages: this page's own copy
  }
  resources.replaceKey("/XObject", xobjects);
  std::string name = "/DossierText" + std::to_string(n);
  while (xobjects.hasKey(name)) name += "x";
  xobjects.replaceKey(name, fx);
  const std::string placed =
      page.placeFormXObject(fx, name, page.getCropBox().getArrayAsRectangle(), true, true, true);
  page.addPageContents(out.newStream("q\n"), true);
  page.addPageContents(out.newStream("\nQ\n" + placed + "\n"), false);
}

// Copies every page of `src` to the end of `out`: the number copied. On failure the pages
// copied so far are taken out again and the error passes on.
int copy_pages(QPDF& src, QPDF& out) {
  QPDFPageDocumentHelper to(out);
  src.pushInheritedAttributesToPage();
  auto pages = QPDFPageDocumentHelper(src).getAllPages();
  if (pages.empty()) throw std::runtime_error("the document has no pages");
  std::vector<QPDFPageObjectHelper> added;
  try {
    for (auto& p : pages) {
      to.addPage(p, false);
      // QPDF's own page list (a reference to its cache): QPDFPageDocumentHelper::getAllPages
      // would build a helper for every page so far, for every page added.
      added.emplace_back(out.getAllPages().back());
    }
  } catch (...) {
    for (auto& p : added) to.removePage(p);
    throw;
  }
  for (auto& p : added) disarm(p);
  return static_cast<int>(pages.size());
}

// The pages of `src` copied before the first page of `out` (at the end when it has none), in
// order, disarmed as in copy_pages.
int copy_pages_front(QPDF& src, QPDF& out) {
  if (out.getAllPages().empty()) return copy_pages(src, out);
  QPDFPageDocumentHelper to(out);
  src.pushInheritedAttributesToPage();
  auto pages = QPDFPageDocumentHelper(src).getAllPages();
  if (pages.empty()) throw std::runtime_error("the document has no pages");
  const QPDFPageObjectHelper first(out.getAllPages().front());
  for (auto& p : pages) to.addPageAt(p, true, first);
  const std::vector<OH>& all = out.getAllPages();
  for (std::size_t i = 0; i < pages.size(); ++i) disarm(QPDFPageObjectHelper(all.at(i)));
  return static_cast<int>(pages.size());
}

struct Outline {
  std::string title;
  int page = 0;  // 0-based page of the dossier
  std::vector<Outline> children;
};

// Builds the outline items of `items` under `parent`: the number of items now visible below it
// (all open).
int build_outline(QPDF& out, const std::vector<QPDFPageObjectHelper>& pages, OH parent,
                  const std::vector<Outline>& items) {
  OH first, prev;
  int visible = 0;
  for (const auto& item : items) {
    OH it = out.makeIndirectObject(OH::newDictionary());
    it.replaceKey("/Title", OH::newUnicodeString(item.title));
    it.replaceKey("/Parent", parent);
    OH dest = OH::newArray();
    dest.appendItem(pages.at(static_cast<std::size_t>(item.page)).getObjectHandle());
    dest.appendItem(OH::newName("/Fit"));
    it.replaceKey("/Dest", dest);
    if (!item.children.empty()) {
      const int below = build_outline(out, pages, it, item.children);
      it.replaceKey("/Count", OH::newInteger(below));
      visible += below;
    }
    if (prev.isInitialized()) {
      prev.replaceKey("/Next", it);
      it.replaceKey("/Prev", prev);
    } else {
      first = it;
    }
    prev = it;
    ++visible;
  }
  if (first.isInitialized()) {
    parent.replaceKey("/First", first);
    parent.replaceKey("/Last", prev);
  }
  return visible;
}

}  // namespace

MergeResult merge_pdf(const MergePlan& plan, int out_fd) {
  MergeResult result;
  auto out_holder = std::make_unique<QPDF>();
  QPDF& out = *out_holder;
  out.emptyPDF();
  std::string late_cover;  // outlives the sources: qpdf reads it in place
  // Every source stays open until the dossier is written: qpdf copies stream data then.
  std::vector<std::unique_ptr<QPDF>> sources;
  std::vector<std::string> labels;  // one per dossier page

  // The documents first, then the cover sheet before them: the cover can be laid out by the
  // caller meanwhile (plan.late_cover). first_page counts from the first document until then.
  int layer_count = 0;
  std::map<std::string, OH> text_fonts;  // the text layers' fonts, one copy each (lay_text)
  for (const auto& part : plan.parts) {
    MergedPart m;
    m.first_page = static_cast<int>(labels.size());
    if (part.pdf.size > 0) {
      try {
        auto src = open_pdf(part.pdf, part.label.c_str());
        const int n = static_cast<int>(src->getAllPages().size());
        if (plan.max_pages > 0 && m.first_page + n > plan.max_pages) {
          m.note = "left out: the dossier would have more than " + std::to_string(plan.max_pages) + " pages";
        } else {
          m.pages = copy_pages(*src, out);
          m.included = true;
          sources.push_back(std::move(src));
        }
      } catch (const std::bad_alloc&) {
        throw;
      } catch (const std::exception& e) {
        m.note = std::string("qpdf could not copy its pages: ") + e.what();
      }
    }
    if (m.included && !part.layers.empty()) {
      const std::vector<OH>& all = out.getAllPages();
      for (const auto& layer : part.layers) {
        if (layer.page < 0 || layer.page >= m.pages) continue;
        try {
          sources.push_back(open_pdf(layer.pdf, "text-layer.pdf"));
          lay_text(out, all.at(static_cast<std::size_t>(m.first_page + layer.page)), *sources.back(), layer.turn,
                   ++layer_count, text_fonts);
          ++m.layers;
        } catch (const std::bad_alloc&) {
          throw;
        } catch (const std::exception& e) {
          if (m.note.empty()) m.note = std::string("a text layer could not be laid: ") + e.what();
        }
      }
    }
    if (!m.included) {
      sources.push_back(open_pdf(part.notice, "notice.pdf"));
      m.pages = copy_pages(*sources.back(), out);
    }
    for (int i = 0; i < m.pages; ++i)
      labels.push_back(part.label + " " + std::to_string(i + 1) + "/" + std::to_string(m.pages));
    result.parts.push_back(std::move(m));
  }
  Bytes cover = plan.cover;
  if (cover.size == 0 && plan.late_cover) {
    late_cover = plan.late_cover();
    cover = Bytes{reinterpret_cast<const std::uint8_t*>(late_cover.data()), late_cover.size()};
  }
  sources.push_back(open_pdf(cover, "cover.pdf"));
  result.cover_pages = copy_pages_front(*sources.back(), out);
  std::vector<std::string> cover_labels;
  for (int i = 0; i < result.cover_pages; ++i)
    cover_labels.push_back(plan.cover_label + " " + std::to_string(i + 1) + "/" + std::to_string(result.cover_pages));
  labels.insert(labels.begin(), cover_labels.begin(), cover_labels.end());
  for (auto& m : result.parts) m.first_page += result.cover_pages;
  result.pages = static_cast<int>(labels.size());

  const auto pages = QPDFPageDocumentHelper(out).getAllPages();
  if (static_cast<int>(pages.size()) != result.pages) throw std::runtime_error("page count mismatch");

  // The outline: the cover sheet, then each evidence type with its documents.
  std::vector<Outline> items{{plan.cover_outline, 0, {}}};
  for (const auto& section : plan.sections) {
    Outline s{section.outline, 0, {}};
    for (std::size_t i : section.parts) {
      const auto& m = result.parts.at(i);
      s.children.push_back({plan.parts.at(i).outline, m.first_page, {}});
    }
    if (s.children.empty()) continue;
    s.page = s.children.front().page;
    items.push_back(std::move(s));
  }
  OH root = out.getRoot();
  OH outlines = out.makeIndirectObject(OH::newDictionary());
  outlines.replaceKey("/Type", OH::newName("/Outlines"));
  outlines.replaceKey("/Count", OH::newInteger(build_outline(out, pages, outlines, items)));
  root.replaceKey("/Outlines", outlines);
  root.replaceKey("/PageMode", OH::newName("/UseOutlines"));

  OH nums = OH::newArray();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    OH label = OH::newDictionary();
    label.replaceKey("/P", OH::newUnicodeString(labels[i]));
    nums.appendItem(OH::newInteger(static_cast<long long>(i)));
    nums.appendItem(label);
  }
  OH page_labels = OH::newDictionary();
  page_labels.replaceKey("/Nums", nums);
  root.replaceKey("/PageLabels", out.makeIndirectObject(page_labels));
  if (!plan.language.empty()) root.replaceKey("/Lang", OH::newUnicodeString(plan.language));
  OH prefs = OH::newDictionary();
  prefs.replaceKey("/DisplayDocTitle", OH::newBool(true));
  root.replaceKey("/ViewerPreferences", prefs);

  OH info = out.makeIndirectObject(OH::newDictionary());
  info.replaceKey("/Title", OH::newUnicodeString(plan.title));
  info.replaceKey("/Subject", OH::newUnicodeString(plan.subject));
  info.replaceKey("/Producer", OH::newUnicodeString("dossier"));
  out.getTrailer().replaceKey("/Info", info);

  FdSink sink(out_fd);
  QPDFWriter w(out);
  w.setOutputPipeline(&sink);
  // Streams exactly as they are in the documents: not decoded, not compressed again.
  w.setDecodeLevel(qpdf_dl_none);
  w.setCompressStreams(false);
  w.setObjectStreamMode(qpdf_o_disable);
  w.write();
  if (!sink.ok()) throw std::runtime_error("cannot write the dossier");
  if (plan.exit_after) {
    (void)out_holder.release();
    for (auto& source : sources) (void)source.release();
  }
  return result;
}

}  // namespace dossier::io::detail
