#include "scan.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dossier::mkpdf::detail {

namespace {

// A4 in points, and the text-mode layout (tools/mkpdf/mkpdf_lib.cpp) in points from the top.
constexpr double kPageW = 595.0;
constexpr double kPageH = 842.0;
constexpr double kMargin = 56.0;
constexpr double kFirstBaseline = 62.0;
constexpr double kLastBaseline = 780.0;
constexpr double kFooterBaseline = 806.0;
constexpr double kBodySize = 11.0;
constexpr double kTitleSize = 13.0;
constexpr double kLeading = 15.0;

struct CairoDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  void operator()(cairo_t* c) const { cairo_destroy(c); }
  void operator()(cairo_font_options_t* o) const { cairo_font_options_destroy(o); }
};

// Only the raw output of std::mt19937 is specified by the standard (the distributions are
// not), so all "randomness" is derived from it directly: the same seed gives the same bytes
// with any standard library.
class Prng {
 public:
  explicit Prng(unsigned seed) : gen_(seed) {}
  std::uint32_t next() { return static_cast<std::uint32_t>(gen_()); }
  // 0 .. n-1 (n small; the modulo bias is irrelevant for test images).
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint32_t>(n)); }

 private:
  std::mt19937 gen_;
};

double text_width(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t ext{};
  cairo_text_extents(cr, s.c_str(), &ext);
  return ext.x_advance;
}

// Greedy word wrap to `width` points with the current font. A word longer than the line
// stays whole (it runs into the margin, as a long URL would on paper).
std::vector<std::string> wrap(cairo_t* cr, const std::string& line, double width) {
  std::vector<std::string> out;
  std::istringstream words(line);
  std::string current;
  for (std::string w; words >> w;) {
    const std::string candidate = current.empty() ? w : current + " " + w;
    if (!current.empty() && text_width(cr, candidate) > width) {
      out.push_back(current);
      current = w;
    } else {
      current = candidate;
    }
  }
  out.push_back(current);  // an empty line stays an empty line
  return out;
}

void set_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

// Ink coverage (0 = paper, 255 = full ink) of the page text, rotated around the page centre.
std::vector<unsigned char> render_coverage(const PdfSpec& spec, int page, int pages, int w, int h) {
  std::unique_ptr<cairo_surface_t, CairoDeleter> surface(cairo_image_surface_create(CAIRO_FORMAT_A8, w, h));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error("scan: cannot create a cairo image surface");
  std::unique_ptr<cairo_t, CairoDeleter> owner(cairo_create(surface.get()));
  cairo_t* cr = owner.get();

  // Fixed font rendering options, so that the local fontconfig settings do not change the pixels.
  std::unique_ptr<cairo_font_options_t, CairoDeleter> options(cairo_font_options_create());
  cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, options.get());

  const double scale = spec.scan_dpi / 72.0;
  cairo_scale(cr, scale, scale);  // from here on: points, origin top left
  cairo_translate(cr, kPageW / 2, kPageH / 2);
  cairo_rotate(cr, spec.scan_rotation_degrees * std::numbers::pi / 180.0);  // positive: clockwise on the page
  cairo_translate(cr, -kPageW / 2, -kPageH / 2);
  cairo_set_source_rgba(cr, 0, 0, 0, 1);

  const double width = kPageW - 2 * kMargin;
  double y = kFirstBaseline;
  auto draw = [&](const std::string& text) {
    if (y <= kLastBaseline) {
      cairo_move_to(cr, kMargin, y);
      cairo_show_text(cr, text.c_str());
    }
    y += kLeading;
  };
  if (!spec.title.empty()) {
    set_font(cr, kTitleSize, true);
    for (const auto& part : wrap(cr, spec.title, width)) draw(part);
    y += kLeading / 2;
  }
  set_font(cr, kBodySize, false);
  for (const auto& line : spec.lines)
    for (const auto& part : wrap(cr, line, width)) draw(part);
  const std::string footer = "Pagina " + std::to_string(page) + " van " + std::to_string(pages);
  cairo_move_to(cr, kPageW - kMargin - text_width(cr, footer), kFooterBaseline);
  cairo_show_text(cr, footer.c_str());

  cairo_surface_flush(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  std::vector<unsigned char> coverage(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
  for (int row = 0; row < h; ++row)
    std::copy_n(data + static_cast<std::ptrdiff_t>(row) * stride, w,
                coverage.begin() + static_cast<std::ptrdiff_t>(row) * w);
  return coverage;
}

unsigned char clamp_byte(int v) { return static_cast<unsigned char>(std::clamp(v, 0, 255)); }

}  // namespace

GrayImage render_scan_page(const PdfSpec& spec, int page, int pages) {
  GrayImage img;
  img.width = static_cast<int>(std::lround(kPageW * spec.scan_dpi / 72.0));
  img.height = static_cast<int>(std::lround(kPageH * spec.scan_dpi / 72.0));
  const auto coverage = render_coverage(spec, page, pages, img.width, img.height);
  const auto w = static_cast<std::size_t>(img.width);
  const auto h = static_cast<std::size_t>(img.height);
  img.pixels.assign(w * h, '\0');

  const bool noisy = spec.scan_noise_seed != 0;
  // One stream per page, so page 2 is not a copy of page 1.
  Prng rng(spec.scan_noise_seed * 7919u + static_cast<unsigned>(page));
  const int paper = noisy ? 234 + rng.below(10) : 255;  // slightly grey paper
  const int ink = noisy ? 22 + rng.below(24) : 0;       // toner is never quite black
  for (std::size_t i = 0; i < w * h; ++i) {
    int bg = paper;
    if (noisy) {
      const std::uint32_t r = rng.next();
      if ((r & 0xFFu) < 4u) bg += static_cast<int>((r >> 8) % 13u) - 6;  // grain on ~1.5% of pixels
    }
    const int a = coverage[i];
    img.pixels[i] = static_cast<char>(clamp_byte(bg - (a * (bg - ink)) / 255));
  }
  if (!noisy) return img;

  auto darken = [&](long x, long y, int amount) {
    if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
    const std::size_t i = static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x);
    img.pixels[i] = static_cast<char>(clamp_byte(static_cast<unsigned char>(img.pixels[i]) - amount));
  };
  // Dust and toner speckles: small dark dots of one to three pixels radius.
  const int speckles = 150 + rng.below(250);
  for (int s = 0; s < speckles; ++s) {
    const long cx = rng.below(img.width);
    const long cy = rng.below(img.height);
    const int radius = 1 + (rng.below(10) == 0 ? 2 : rng.below(2));
    const int amount = 60 + rng.below(140);
    for (long dy = -radius; dy <= radius; ++dy)
      for (long dx = -radius; dx <= radius; ++dx)
        if (dx * dx + dy * dy <= radius * radius) darken(cx + dx, cy + dy, amount);
  }
  // Half of the pages have a faint vertical streak (dirt on the scanner glass).
  if (rng.below(2) == 0) {
    const long x = rng.below(img.width);
    const int amount = 12 + rng.below(20);
    for (long y = 0; y < img.height; ++y) darken(x, y, amount);
  }
  // A soft shadow along the top edge where the lid did not close.
  const int shadow = 4 + rng.below(12);
  for (long y = 0; y < shadow; ++y)
    for (long x = 0; x < img.width; ++x) darken(x, y, 90 * (shadow - static_cast<int>(y)) / shadow);
  return img;
}

GrayImage turn_clockwise(const GrayImage& img) {
  GrayImage out;
  out.width = img.height;
  out.height = img.width;
  out.pixels.resize(img.pixels.size());
  const auto w = static_cast<std::size_t>(img.width), h = static_cast<std::size_t>(img.height);
  // Source (x, y) lands at (h - 1 - y, x).
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x) out.pixels[x * h + (h - 1 - y)] = img.pixels[y * w + x];
  return out;
}

}  // namespace dossier::mkpdf::detail
