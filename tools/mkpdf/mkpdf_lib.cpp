#include "mkpdf.hpp"

#ifndef POINTERHOLDER_TRANSITION
#define POINTERHOLDER_TRANSITION 4
#endif
#include <qpdf/Buffer.hh>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/Pl_String.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFWriter.hh>
#include <qpdf/QUtil.hh>
#include <qpdf/RandomDataProvider.hh>

#include <array>
#include <optional>
#include <cstdio>
#include <stdexcept>

#include "scan.hpp"

namespace dossier::mkpdf {

namespace {

struct Cp1252Extra {
  unsigned codepoint;
  unsigned char byte;
};
constexpr std::array<Cp1252Extra, 27> kCp1252 = {{
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85},
    {0x2020, 0x86}, {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A},
    {0x2039, 0x8B}, {0x0152, 0x8C}, {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92},
    {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
    {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B}, {0x0153, 0x9C},
    {0x017E, 0x9E}, {0x0178, 0x9F},
}};

class Builder {
 public:
  // Reserves an object number (objects may be written in any order).
  int reserve() {
    offsets_.push_back(0);
    return static_cast<int>(offsets_.size());
  }
  void object(int num, const std::string& body) {
    offsets_[static_cast<std::size_t>(num - 1)] = out_.size();
    out_ += std::to_string(num) + " 0 obj\n" + body + "\nendobj\n";
  }
  void stream(int num, const std::string& dict_extra, const std::string& data) {
    object(num, "<< /Length " + std::to_string(data.size()) + dict_extra + " >>\nstream\n" + data +
                    "\nendstream");
  }
  std::string finish(int root, int info) {
    std::size_t xref = out_.size();
    out_ += "xref\n0 " + std::to_string(offsets_.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t off : offsets_) {
      std::array<char, 32> line{};
      std::snprintf(line.data(), line.size(), "%010zu 00000 n \n", off);
      out_ += line.data();
    }
    out_ += "trailer\n<< /Size " + std::to_string(offsets_.size() + 1) + " /Root " + ref(root) +
            " /Info " + ref(info) + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return std::move(out_);
  }
  static std::string ref(int num) { return std::to_string(num) + " 0 R"; }

 private:
  std::string out_ = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets_;
};

std::string page_content(const PdfSpec& spec, int page, int pages) {
  if (spec.no_text) {
    // An 8x8 grey inline image scaled to most of the page: a scan without a text layer.
    std::string hex;
    for (int i = 0; i < 64; ++i) {
      std::array<char, 4> b{};
      std::snprintf(b.data(), b.size(), "%02X", (i * 37 + page * 11) % 256);
      hex += b.data();
    }
    return "q 480 0 0 680 56 80 cm\nBI /W 8 /H 8 /BPC 8 /CS /G /F /AHx ID\n" + hex + ">\nEI\nQ";
  }
  std::string s = "BT\n/F1 12 Tf\n14 TL\n56 780 Td\n";
  if (!spec.title.empty()) s += pdf_literal(to_winansi(spec.title)) + " Tj T*\n";
  for (const auto& line : spec.lines) s += pdf_literal(to_winansi(line)) + " Tj T*\n";
  s += pdf_literal("Pagina " + std::to_string(page) + " van " + std::to_string(pages)) + " Tj\nET";
  return s;
}

std::string deflate(const std::string& data) {
  std::string out;
  Pl_String sink("mkpdf-scan", nullptr, out);
  Pl_Flate flate("mkpdf-scan", &sink, Pl_Flate::a_deflate);
  flate.write(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  flate.finish();
  return out;
}

// Fixed "random" bytes so that AES-256 output (salts, IVs) is reproducible. Test data only.
class FixedRandom final : public RandomDataProvider {
 public:
  void provideRandomData(unsigned char* data, size_t len) override {
    for (size_t i = 0; i < len; ++i) data[i] = static_cast<unsigned char>((counter_++ * 131u + 7u) & 0xFFu);
  }

 private:
  unsigned counter_ = 0;
};

class ScopedFixedRandom {
 public:
  ScopedFixedRandom() : previous_(QUtil::getRandomDataProvider()) { QUtil::setRandomDataProvider(&fixed_); }
  ~ScopedFixedRandom() { QUtil::setRandomDataProvider(previous_); }
  ScopedFixedRandom(const ScopedFixedRandom&) = delete;
  ScopedFixedRandom& operator=(const ScopedFixedRandom&) = delete;

 private:
  FixedRandom fixed_;
  RandomDataProvider* previous_;
};

std::string rewrite_with_qpdf(const std::string& pdf, const PdfSpec& spec) {
  QPDF in;
  in.setSuppressWarnings(true);
  in.processMemoryFile("mkpdf", pdf.data(), pdf.size());
  std::optional<ScopedFixedRandom> fixed_random;  // R6 draws salts when parameters are set
  if (spec.aes256) fixed_random.emplace();
  QPDFWriter w(in);
  w.setOutputMemory();
  w.setStaticID(true);    // deterministic /ID
  w.setStaticAesIV(true); // deterministic encryption (test files only!)
  if (spec.object_streams) w.setObjectStreamMode(qpdf_o_generate);
  if (spec.user_password || spec.owner_password) {
    std::string user = spec.user_password.value_or("");
    // qpdf treats an empty owner password as "same as user"; give owner-only files a real one.
    std::string owner = spec.owner_password.value_or(user);
    if (spec.aes256) {
      w.setR6EncryptionParameters(user.c_str(), owner.c_str(), true, false, false, false, false, false,
                                  qpdf_r3p_none, true);
    } else {
      w.setR4EncryptionParametersInsecure(user.c_str(), owner.c_str(), true, false, false, false, false,
                                          false, qpdf_r3p_none, true, true);
    }
  }
  w.write();
  std::shared_ptr<Buffer> buf = w.getBufferSharedPointer();
  return std::string(reinterpret_cast<const char*>(buf->getBuffer()), buf->getSize());
}

}  // namespace

std::string to_winansi(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto b = static_cast<unsigned char>(utf8[i]);
    unsigned cp = 0;
    std::size_t len = 1;
    if (b < 0x80) cp = b;
    else if ((b & 0xE0u) == 0xC0u) { cp = b & 0x1Fu; len = 2; }
    else if ((b & 0xF0u) == 0xE0u) { cp = b & 0x0Fu; len = 3; }
    else if ((b & 0xF8u) == 0xF0u) { cp = b & 0x07u; len = 4; }
    else { out.push_back('?'); ++i; continue; }
    if (i + len > utf8.size()) { out.push_back('?'); break; }
    bool bad = false;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(utf8[i + k]);
      if ((c & 0xC0u) != 0x80u) bad = true;
      cp = (cp << 6u) | (c & 0x3Fu);
    }
    i += bad ? 1 : len;
    if (bad) { out.push_back('?'); continue; }
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
      out.push_back(static_cast<char>(cp));
      continue;
    }
    char mapped = '?';
    for (const auto& e : kCp1252)
      if (e.codepoint == cp) mapped = static_cast<char>(e.byte);
    out.push_back(mapped);
  }
  return out;
}

std::string pdf_literal(const std::string& winansi) {
  std::string out = "(";
  for (char ch : winansi) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '(' || ch == ')' || ch == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 32 || c > 126) {
      std::array<char, 8> b{};
      std::snprintf(b.data(), b.size(), "\\%03o", static_cast<unsigned>(c));
      out += b.data();
    } else {
      out.push_back(ch);
    }
  }
  out.push_back(')');
  return out;
}

std::string make_pdf(const PdfSpec& spec) {
  if (spec.pages < 1 || spec.pages > 10000) throw std::runtime_error("pages must be 1..10000");
  if (spec.scan) {
    if (spec.no_text) throw std::runtime_error("scan and no-text exclude each other");
    if (spec.scan_dpi < 50 || spec.scan_dpi > 600) throw std::runtime_error("scan dpi must be 50..600");
    if (!(spec.scan_rotation_degrees >= -45.0 && spec.scan_rotation_degrees <= 45.0))
      throw std::runtime_error("scan rotation must be -45..45 degrees");
    if (spec.scan_turn % 90 != 0 || spec.scan_turn < 0 || spec.scan_turn > 270)
      throw std::runtime_error("scan turn must be 0, 90, 180 or 270");
  }
  Builder b;
  const int catalog = b.reserve();
  const int pages = b.reserve();
  const int font = spec.scan ? 0 : b.reserve();  // a scan has no fonts at all
  const int info = b.reserve();
  struct PageObjs {
    int page, content, image;
  };
  std::vector<PageObjs> page_objs;
  for (int i = 0; i < spec.pages; ++i) {
    PageObjs p{};
    p.page = b.reserve();
    p.content = b.reserve();
    p.image = spec.scan ? b.reserve() : 0;
    page_objs.push_back(p);
  }

  std::string cat = "<< /Type /Catalog /Pages " + Builder::ref(pages);
  if (spec.javascript) {
    int js = b.reserve();
    b.object(js, "<< /Type /Action /S /JavaScript /JS (app.alert\\('synthetic test document'\\);) >>");
    cat += " /OpenAction " + Builder::ref(js);
  }
  if (spec.embedded_file) {
    int file = b.reserve();
    int spec_obj = b.reserve();
    b.stream(file, " /Type /EmbeddedFile /Subtype /text#2Fplain", "synthetic attachment, no personal data");
    b.object(spec_obj, "<< /Type /Filespec /F (bijlage.txt) /UF (bijlage.txt) /EF << /F " +
                           Builder::ref(file) + " >> >>");
    cat += " /Names << /EmbeddedFiles << /Names [(bijlage.txt) " + Builder::ref(spec_obj) + "] >> >>";
  }
  cat += " >>";
  b.object(catalog, cat);

  std::string kids;
  for (const auto& p : page_objs) kids += Builder::ref(p.page) + " ";
  b.object(pages, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(spec.pages) + " >>");
  if (!spec.scan)
    b.object(font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  b.object(info, "<< /Title " + pdf_literal(to_winansi(spec.title)) +
                     " /Producer (dossier-mkpdf synthetic test data) >>");
  for (int i = 0; i < spec.pages; ++i) {
    const auto& p = page_objs[static_cast<std::size_t>(i)];
    if (spec.scan) {
      const bool landscape = spec.scan_turn == 90 || spec.scan_turn == 270;
      const std::string w = landscape ? "842" : "595", h = landscape ? "595" : "842";
      b.object(p.page, "<< /Type /Page /Parent " + Builder::ref(pages) + " /MediaBox [0 0 " + w + " " + h +
                           "] /Resources << /XObject << /Im1 " + Builder::ref(p.image) +
                           " >> >> /Contents " + Builder::ref(p.content) + " >>");
      b.stream(p.content, "", "q " + w + " 0 0 " + h + " 0 0 cm /Im1 Do Q");
      auto img = detail::render_scan_page(spec, i + 1, spec.pages);
      for (int t = 0; t < spec.scan_turn; t += 90) img = detail::turn_clockwise(img);
      b.stream(p.image,
               " /Type /XObject /Subtype /Image /Width " + std::to_string(img.width) + " /Height " +
                   std::to_string(img.height) + " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
               deflate(img.pixels));
    } else {
      b.object(p.page, "<< /Type /Page /Parent " + Builder::ref(pages) +
                           " /MediaBox [0 0 595 842] /Resources << /Font << /F1 " + Builder::ref(font) +
                           " >> >> /Contents " + Builder::ref(p.content) + " >>");
      b.stream(p.content, "", page_content(spec, i + 1, spec.pages));
    }
  }
  std::string pdf = b.finish(catalog, info);
  if (spec.object_streams || spec.user_password || spec.owner_password) pdf = rewrite_with_qpdf(pdf, spec);
  if (spec.truncate && *spec.truncate < pdf.size()) pdf.resize(*spec.truncate);
  return pdf;
}

}  // namespace dossier::mkpdf
