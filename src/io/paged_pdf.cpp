// Pages of text as a PDF with cairo and pango: see io/paged_pdf.hpp.
#include "io/paged_pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dossier::io {
namespace {

constexpr double kTextWidth = kPageWidth - 2 * kMargin;
constexpr double kTop = kMargin;
constexpr double kBottom = kPageHeight - kMargin - 24.0;  // room for the footer
constexpr double kCellPad = 3.0;

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

double to_pt(int pango_units) { return static_cast<double>(pango_units) / PANGO_SCALE; }

// A layout of `markup` `width` points wide in the given font; nullptr when the markup is bad.
Layout make_layout(cairo_t* cr, const std::string& markup, double width, const char* font, int max_lines = 0) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* desc = pango_font_description_from_string(font);
  pango_layout_set_font_description(layout.get(), desc);
  pango_font_description_free(desc);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  if (max_lines > 0) {
    pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
    pango_layout_set_height(layout.get(), -max_lines);
  }
  // Markup that pango cannot parse is a bug of ours (the caller escapes every value).
  PangoAttrList* attrs = nullptr;
  char* text = nullptr;
  GError* error = nullptr;
  if (!pango_parse_markup(markup.c_str(), static_cast<int>(markup.size()), 0, &attrs, &text, nullptr, &error)) {
    if (error != nullptr) g_error_free(error);
    return nullptr;
  }
  pango_layout_set_text(layout.get(), text, -1);
  pango_layout_set_attributes(layout.get(), attrs);
  pango_attr_list_unref(attrs);
  g_free(text);
  return layout;
}

double height_of(PangoLayout* layout) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  return to_pt(logical.height);
}

// What is drawn where: a whole layout, or one line of one (a paragraph split across pages).
struct Placed {
  int page = 0;
  double x = 0, y = 0;  // top left
  PangoLayout* layout = nullptr;
  int line = -1;        // -1: the whole layout; else this line, y being its top
  double baseline = 0;  // for a line: from its top to its baseline
  double fill_w = 0, fill_h = 0;  // a shaded box behind (header cells), when fill_w > 0
  double rule_w = 0;    // a line across at y, when > 0
};

class Pager {
 public:
  explicit Pager(cairo_t* cr) : cr_(cr) {}

  bool add(const PagedBlock& b, const PagedBlock* next) {
    switch (b.kind) {
      case PagedBlock::Kind::title: return text(b, "DejaVu Sans Bold 15", 4.0, 8.0, nullptr);
      case PagedBlock::Kind::heading: return text(b, "DejaVu Sans Bold 11.5", 12.0, 4.0, next);
      case PagedBlock::Kind::paragraph: return text(b, "DejaVu Sans 9", 0.0, 4.0, nullptr);
      case PagedBlock::Kind::row: return row(b);
      case PagedBlock::Kind::rule: {
        need(6.0);
        Placed p;
        p.page = page_;
        p.x = kMargin;
        p.y = y_ + 3.0;
        p.rule_w = kTextWidth;
        placed_.push_back(p);
        y_ += 6.0;
        return true;
      }
    }
    return false;
  }
  const std::vector<Placed>& placed() const { return placed_; }
  int pages() const { return page_ + 1; }

 private:
  void new_page() {
    ++page_;
    y_ = kTop;
  }
  void need(double h) {
    if (y_ + h > kBottom && y_ > kTop) new_page();
  }
  PangoLayout* keep(Layout l) {
    layouts_.push_back(std::move(l));
    return layouts_.back().get();
  }

  // A title, heading or paragraph; a heading moves to the next page with the first line of
  // `next` when they would be parted.
  bool text(const PagedBlock& b, const char* font, double above, double below, const PagedBlock* next) {
    if (b.cells.empty()) return true;
    Layout made = make_layout(cr_, b.cells.front(), kTextWidth, font);
    if (!made) return false;
    PangoLayout* layout = keep(std::move(made));
    if (y_ > kTop) y_ += above;
    const double h = height_of(layout);
    if (h <= kBottom - kTop) {
      need(h + (next != nullptr ? 30.0 : 0.0));
      placed_.push_back(Placed{page_, kMargin, y_, layout, -1, 0, 0, 0, 0});
      y_ += h + below;
      return true;
    }
    // Longer than a page: line by line.
    PangoLayoutIter* it = pango_layout_get_iter(layout);
    int line = 0;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double lh = to_pt(logical.height);
      const double base = to_pt(pango_layout_iter_get_baseline(it) - logical.y);
      need(lh);
      placed_.push_back(Placed{page_, kMargin, y_, layout, line, base, 0, 0, 0});
      y_ += lh;
      ++line;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    y_ += below;
    return true;
  }

  bool row(const PagedBlock& b) {
    const char* font = b.strong ? "DejaVu Sans Bold 8.5" : "DejaVu Sans 8.5";
    std::vector<PangoLayout*> cells;
    double h = 0;
    for (std::size_t i = 0; i < b.cells.size(); ++i) {
      const double share = i < b.widths.size() ? b.widths[i] : 1.0 / static_cast<double>(b.cells.size());
      Layout made = make_layout(cr_, b.cells[i], share * kTextWidth - 2 * kCellPad, font, kMaxCellLines);
      if (!made) return false;
      cells.push_back(keep(std::move(made)));
      h = std::max(h, height_of(cells.back()));
    }
    h += 2 * kCellPad;
    // An open row keeps the row after it on its page (room for two more lines).
    need(h + (b.open ? 24.0 : 0.0));
    double x = kMargin;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const double share = i < b.widths.size() ? b.widths[i] : 1.0 / static_cast<double>(cells.size());
      Placed p{page_, x + kCellPad, y_ + kCellPad, cells[i], -1, 0, 0, 0, 0};
      if (b.strong) {
        p.fill_w = share * kTextWidth;
        p.fill_h = h;
      }
      placed_.push_back(p);
      x += share * kTextWidth;
    }
    if (b.open) {
      y_ += h;
      return true;
    }
    Placed rule;
    rule.page = page_;
    rule.x = kMargin;
    rule.y = y_ + h;
    rule.rule_w = kTextWidth;
    placed_.push_back(rule);
    y_ += h;
    return true;
  }

  cairo_t* cr_;
  int page_ = 0;
  double y_ = kTop;
  std::vector<Layout> layouts_;
  std::vector<Placed> placed_;
};

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

std::string escape_markup(const std::string& s) {
  char* e = g_markup_escape_text(s.c_str(), static_cast<gssize>(s.size()));
  std::string out(e);
  g_free(e);
  return out;
}

}  // namespace

namespace {

// The pages of `document`, drawn when `draw` (else only laid out: PagedPdf::pdf is empty).
Result<PagedPdf> lay_out(const PagedDocument& document, bool draw) {
  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append, &pdf, kPageWidth, kPageHeight);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, document.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "dossier");
  cairo_t* cr = cairo_create(surface);
  bool markup_ok = true;
  std::vector<Placed> placed;
  int pages = 0;
  {
    Pager pager(cr);
    for (std::size_t i = 0; i < document.blocks.size() && markup_ok; ++i) {
      const PagedBlock* next = i + 1 < document.blocks.size() ? &document.blocks[i + 1] : nullptr;
      markup_ok = pager.add(document.blocks[i], next);
    }
    placed = pager.placed();
    pages = pager.pages();
    // Draw while the pager still holds the layouts.
    if (markup_ok && draw) {
      std::size_t k = 0;
      const std::string footer_left = escape_markup(document.title);
      for (int page = 0; page < pages; ++page) {
        for (; k < placed.size() && placed[k].page == page; ++k) {
          const Placed& p = placed[k];
          if (p.rule_w > 0) {
            cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
            cairo_set_line_width(cr, 0.5);
            cairo_move_to(cr, p.x, p.y);
            cairo_line_to(cr, p.x + p.rule_w, p.y);
            cairo_stroke(cr);
            continue;
          }
          if (p.fill_w > 0) {
            cairo_set_source_rgb(cr, 0.92, 0.93, 0.95);
            cairo_rectangle(cr, p.x - kCellPad, p.y - kCellPad, p.fill_w, p.fill_h);
            cairo_fill(cr);
          }
          cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
          if (p.line < 0) {
            cairo_move_to(cr, p.x, p.y);
            pango_cairo_show_layout(cr, p.layout);
          } else {
            cairo_move_to(cr, p.x, p.y + p.baseline);
            pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(p.layout, p.line));
          }
        }
        // The footer: the title on the left, "page N of M" on the right.
        const std::string right = escape_markup(replace_all(
            replace_all(document.page_of, "{page}", std::to_string(page + 1)), "{pages}", std::to_string(pages)));
        Layout left_l = make_layout(cr, footer_left, kTextWidth * 0.7, "DejaVu Sans 7.5", 1);
        Layout right_l = make_layout(cr, right, kTextWidth * 0.3, "DejaVu Sans 7.5", 1);
        if (left_l && right_l) {
          pango_layout_set_alignment(right_l.get(), PANGO_ALIGN_RIGHT);
          cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
          const double y = kPageHeight - kMargin - 10.0;
          cairo_move_to(cr, kMargin, y);
          pango_cairo_show_layout(cr, left_l.get());
          cairo_move_to(cr, kMargin + kTextWidth * 0.7, y);
          pango_cairo_show_layout(cr, right_l.get());
        }
        cairo_show_page(cr);
      }
    }
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (!markup_ok) return fail(Errc::malformed, "the page text is not valid pango markup (a bug: please report it)");
  if (status != CAIRO_STATUS_SUCCESS) return fail(Errc::io, std::string("cairo: ") + cairo_status_to_string(status));
  if (!draw) pdf.clear();
  return PagedPdf{std::move(pdf), pages};
}

}  // namespace

Result<PagedPdf> render_paged_pdf(const PagedDocument& document) { return lay_out(document, true); }

void warm_up_fonts() {
  PagedDocument doc;
  PagedBlock line;
  line.cells = {"dossier"};
  doc.blocks.push_back(std::move(line));
  (void)lay_out(doc, true);
}

Result<int> count_paged_pages(const PagedDocument& document) {
  auto laid = lay_out(document, false);
  if (!laid) return tl::unexpected(laid.error());
  return laid->pages;
}

}  // namespace dossier::io
