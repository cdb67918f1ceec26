// qpdf's part of the PDF inspection: see io/pdf_structure.hpp (and why this file is C++17).
#include "io/pdf_structure.hpp"

// qpdf 11: use std::shared_ptr, no PointerHolder (silences its transition #warning).
#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <exception>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace dossier::io::detail {
namespace {

class ActiveContent {
 public:
  void add(const char* what) {
    if (seen_.insert(what).second) order_.emplace_back(what);
  }
  std::vector<std::string> take() { return std::move(order_); }

 private:
  std::set<std::string> seen_;
  std::vector<std::string> order_;
};

bool name_is(QPDFObjectHandle dict, const char* key, const char* value) {
  if (!dict.hasKey(key)) return false;
  QPDFObjectHandle v = dict.getKey(key);
  return v.isName() && v.getName() == value;
}

// A plain /GoTo action (or a destination array) only moves to a page. Anything else,
// including a chained /Next action, can do more and is reported.
bool benign_action(QPDFObjectHandle action) {
  if (action.isArray() || action.isNull()) return true;  // a destination / nothing
  return action.isDictionary() && name_is(action, "/S", "/GoTo") && !action.hasKey("/Next");
}

// /AA maps trigger events (page open, field focus, ...) to actions run automatically.
bool benign_triggers(QPDFObjectHandle aa) {
  if (!aa.isDictionary()) return aa.isNull();
  for (auto& [event, action] : aa.getDictAsMap())
    if (!benign_action(action)) return false;
  return true;
}

void scan_dictionary(QPDFObjectHandle dict, ActiveContent& found) {
  if (dict.hasKey("/JS") || name_is(dict, "/S", "/JavaScript")) found.add("JavaScript");
  if (name_is(dict, "/S", "/Launch") || dict.hasKey("/Launch")) found.add("Launch");
  if (dict.hasKey("/AA") && !benign_triggers(dict.getKey("/AA"))) found.add("AA (additional actions)");
  if (name_is(dict, "/Type", "/EmbeddedFile") || dict.hasKey("/EmbeddedFiles") ||
      name_is(dict, "/Subtype", "/FileAttachment") || name_is(dict, "/S", "/GoToE"))
    found.add("EmbeddedFile");
  if (dict.hasKey("/EF")) {
    QPDFObjectHandle ef = dict.getKey("/EF");
    if (ef.isDictionary()) found.add("EmbeddedFile");
  }
  if (name_is(dict, "/Subtype", "/RichMedia") || dict.hasKey("/RichMediaContent") ||
      name_is(dict, "/S", "/RichMediaExecute"))
    found.add("RichMedia");
  if (dict.hasKey("/XFA")) found.add("XFA");
  if (name_is(dict, "/S", "/GoToR")) found.add("GoToR");
  if (name_is(dict, "/S", "/SubmitForm")) found.add("SubmitForm");
  if (name_is(dict, "/S", "/ImportData")) found.add("ImportData");
  // Multimedia players: old plug-in attack surface, and CoMensha cannot archive them.
  if (name_is(dict, "/S", "/Movie") || name_is(dict, "/Subtype", "/Movie")) found.add("Movie");
  if (name_is(dict, "/S", "/Sound") || name_is(dict, "/Subtype", "/Sound")) found.add("Sound");
  if (name_is(dict, "/S", "/Rendition") || name_is(dict, "/Subtype", "/Screen")) found.add("Rendition");
  if (name_is(dict, "/Subtype", "/3D") || name_is(dict, "/S", "/GoTo3DView")) found.add("3D");
}

// Scans obj and the direct objects nested in it (an action is often a direct
// dictionary inside an annotation or outline item). Indirect references are not
// followed: every indirect object is visited once from getAllObjects().
void scan_object(QPDFObjectHandle obj, ActiveContent& found, int depth) {
  if (depth > 32) return;  // deeper nesting is not a document structure
  if (obj.isStream()) obj = obj.getDict();
  if (obj.isDictionary()) {
    scan_dictionary(obj, found);
    for (auto& [key, value] : obj.getDictAsMap())
      if (!value.isIndirect() && (value.isDictionary() || value.isArray())) scan_object(value, found, depth + 1);
  } else if (obj.isArray()) {
    for (QPDFObjectHandle item : obj.aitems())
      if (!item.isIndirect() && (item.isDictionary() || item.isArray())) scan_object(item, found, depth + 1);
  }
}

}  // namespace

PdfStructure inspect_pdf_structure(const std::uint8_t* data, std::size_t size, const std::string& name) {
  PdfStructure out;
  QPDF qpdf;
  qpdf.setSuppressWarnings(true);
  try {
    qpdf.processMemoryFile(name.c_str(), reinterpret_cast<const char*>(data), size);
  } catch (const QPDFExc& e) {
    if (e.getErrorCode() == qpdf_e_password) {
      out.verdict = PdfStructure::Verdict::locked;
      out.detail = "encrypted with a user password (qpdf: " + e.getMessageDetail() + ")";
      return out;
    }
    out.verdict = PdfStructure::Verdict::damaged;
    out.detail = std::string("qpdf: ") + e.what();
    return out;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    out.verdict = PdfStructure::Verdict::damaged;
    out.detail = std::string("qpdf: ") + e.what();
    return out;
  }

  out.encrypted = qpdf.isEncrypted();
  ActiveContent found;
  try {
    QPDFObjectHandle root = qpdf.getRoot();
    if (root.isDictionary()) {
      if (root.hasKey("/OpenAction") && !benign_action(root.getKey("/OpenAction"))) found.add("OpenAction");
      if (root.hasKey("/AcroForm")) {
        QPDFObjectHandle form = root.getKey("/AcroForm");
        if (form.isDictionary() && form.hasKey("/XFA")) found.add("XFA");
      }
    }
    for (QPDFObjectHandle obj : qpdf.getAllObjects()) {
      try {
        scan_object(obj, found, 0);
      } catch (const std::bad_alloc&) {
        throw;
      } catch (const std::exception&) {
        ++out.warnings;  // one unreadable object does not hide the others
      }
    }
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    out.verdict = PdfStructure::Verdict::damaged;
    out.detail = std::string("qpdf: ") + e.what();
    out.active_content = found.take();
    return out;
  }
  out.active_content = found.take();
  out.warnings += qpdf.numWarnings();
  return out;
}

}  // namespace dossier::io::detail
