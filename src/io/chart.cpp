// Bar charts with cairo and pango: see io/chart.hpp.
#include "io/chart.hpp"

#include <cairo-svg.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace dossier::io {
namespace {

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

constexpr double kMargin = 28;
constexpr double kBarRow = 34;       // horizontal charts: height of one category
constexpr double kVerticalPlot = 330;  // vertical charts: height of the plot area
constexpr const char* kFont = "DejaVu Sans 11";
constexpr const char* kSmallFont = "DejaVu Sans 10";
constexpr const char* kValueFont = "DejaVu Sans Bold 10";
constexpr const char* kTitleFont = "DejaVu Sans Bold 17";

struct Rgb {
  double r, g, b;
};
// One series: a calm blue; outcomes (four series): placed green, refused red, advice amber, pending grey.
const Rgb kSingle{0.17, 0.42, 0.64};
const Rgb kSeries[] = {{0.22, 0.56, 0.24}, {0.78, 0.21, 0.20}, {0.93, 0.60, 0.10}, {0.55, 0.55, 0.55},
                       {0.17, 0.42, 0.64}, {0.45, 0.30, 0.60}};
const Rgb kText{0.13, 0.13, 0.13};
const Rgb kMuted{0.40, 0.40, 0.40};
const Rgb kGrid{0.88, 0.88, 0.88};
const Rgb kAxis{0.35, 0.35, 0.35};

void set(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

Layout text_layout(cairo_t* cr, const std::string& text, const char* font, double max_width = 0) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* desc = pango_font_description_from_string(font);
  pango_layout_set_font_description(layout.get(), desc);
  pango_font_description_free(desc);
  if (max_width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(max_width * PANGO_SCALE));
    pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
  }
  pango_layout_set_text(layout.get(), text.c_str(), static_cast<int>(text.size()));
  return layout;
}

struct Size {
  double w, h;
};
Size size_of(PangoLayout* l) {
  PangoRectangle logical;
  pango_layout_get_extents(l, nullptr, &logical);
  return {static_cast<double>(logical.width) / PANGO_SCALE, static_cast<double>(logical.height) / PANGO_SCALE};
}

enum class Align { left, centre, right };
// Draws `text` with its top at y; x is its left, centre or right edge.
Size draw_text(cairo_t* cr, const std::string& text, const char* font, double x, double y, Align align,
               const Rgb& colour, double max_width = 0) {
  Layout l = text_layout(cr, text, font, max_width);
  const Size s = size_of(l.get());
  const double left = align == Align::left ? x : align == Align::centre ? x - s.w / 2 : x - s.w;
  set(cr, colour);
  cairo_move_to(cr, left, y);
  pango_cairo_show_layout(cr, l.get());
  return s;
}

// Axis ticks: a step of 1, 2 or 5 times a power of ten, about five of them, whole numbers.
double nice_step(double max) {
  if (max <= 5) return 1;
  const double raw = max / 5;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

double max_value(const stats::BarChart& c) {
  double m = 0;
  for (const auto& s : c.bars) {
    for (const auto& b : s) m = std::max(m, b.value);
  }
  return m;
}

const Rgb& colour_of(const stats::BarChart& c, std::size_t series) {
  return c.series.size() <= 1 ? kSingle : kSeries[series % std::size(kSeries)];
}

// Title, subtitle and legend; returns the y below them.
double draw_header(cairo_t* cr, const stats::BarChart& c, double width) {
  double y = kMargin;
  y += draw_text(cr, c.title, kTitleFont, kMargin, y, Align::left, kText, width - 2 * kMargin).h + 4;
  y += draw_text(cr, c.subtitle, kSmallFont, kMargin, y, Align::left, kMuted, width - 2 * kMargin).h + 10;
  if (c.series.size() > 1) {
    double x = kMargin;
    for (std::size_t i = 0; i < c.series.size(); ++i) {
      set(cr, colour_of(c, i));
      cairo_rectangle(cr, x, y + 3, 12, 12);
      cairo_fill(cr);
      x += 18 + draw_text(cr, c.series[i], kFont, x + 18, y, Align::left, kText).w + 22;
    }
    y += 26;
  }
  return y + 8;
}

double horizontal_height(const stats::BarChart& c) {
  return 150 + (c.series.size() > 1 ? 26 : 0) +
         kBarRow * static_cast<double>(std::max<std::size_t>(1, c.categories.size()) * std::max<std::size_t>(1, c.series.size()));
}

double vertical_height(const stats::BarChart& c) { return 150 + (c.series.size() > 1 ? 26 : 0) + kVerticalPlot + 40; }

double chart_height(const stats::BarChart& c) { return c.horizontal ? horizontal_height(c) : vertical_height(c); }

void draw_horizontal(cairo_t* cr, const stats::BarChart& c, double width, double top, double height) {
  // The label column: as wide as the longest label, at most 40 % of the chart.
  double label_w = 0;
  for (const auto& cat : c.categories) label_w = std::max(label_w, size_of(text_layout(cr, cat, kFont).get()).w);
  label_w = std::min(label_w, width * 0.4);
  const double x0 = kMargin + label_w + 12;
  const double x1 = width - kMargin - 50;  // room for the value after the longest bar
  const double bottom = height - kMargin - 44;
  const double max = max_value(c);
  const double step = nice_step(max);
  const double axis_max = std::max(step, std::ceil(max / step) * step);
  const double scale = (x1 - x0) / axis_max;
  cairo_set_line_width(cr, 1);
  for (double v = 0; v <= axis_max + 1e-9; v += step) {
    const double x = std::round(x0 + v * scale) + 0.5;
    set(cr, kGrid);
    cairo_move_to(cr, x, top);
    cairo_line_to(cr, x, bottom);
    cairo_stroke(cr);
    draw_text(cr, std::to_string(static_cast<long>(v)), kSmallFont, x, bottom + 6, Align::centre, kMuted);
  }
  draw_text(cr, c.value_axis, kFont, (x0 + x1) / 2, bottom + 24, Align::centre, kText);
  const std::size_t ns = std::max<std::size_t>(1, c.series.size());
  const double row = (bottom - top) / static_cast<double>(std::max<std::size_t>(1, c.categories.size()));
  const double bar_h = std::min(22.0, (row - 10) / static_cast<double>(ns));
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    const double ry = top + row * static_cast<double>(i);
    const double group_h = bar_h * static_cast<double>(ns);
    const double by = ry + (row - group_h) / 2;
    Layout l = text_layout(cr, c.categories[i], kFont, label_w);
    const Size s = size_of(l.get());
    set(cr, kText);
    cairo_move_to(cr, x0 - 12 - s.w, ry + (row - s.h) / 2);
    pango_cairo_show_layout(cr, l.get());
    for (std::size_t k = 0; k < ns && k < c.bars.size(); ++k) {
      const auto& b = c.bars[k][i];
      const double y = by + bar_h * static_cast<double>(k);
      const double w = b.value * scale;
      set(cr, colour_of(c, k));
      cairo_rectangle(cr, x0, y, w, bar_h - 2);
      cairo_fill(cr);
      const Size v = size_of(text_layout(cr, b.label, kValueFont).get());
      draw_text(cr, b.label, kValueFont, x0 + w + 6, y + (bar_h - 2 - v.h) / 2, Align::left, kText);
    }
  }
  set(cr, kAxis);
  cairo_move_to(cr, std::round(x0) + 0.5, top);
  cairo_line_to(cr, std::round(x0) + 0.5, bottom);
  cairo_stroke(cr);
}

void draw_vertical(cairo_t* cr, const stats::BarChart& c, double width, double top, double height) {
  const double max = max_value(c);
  const double step = nice_step(max);
  const double axis_max = std::max(step, std::ceil(max / step) * step);
  // The value axis: its tick labels' width decides where the plot starts.
  const double tick_w = size_of(text_layout(cr, std::to_string(static_cast<long>(axis_max)), kSmallFont).get()).w;
  const double x0 = kMargin + 26 + tick_w + 8;
  const double x1 = width - kMargin;
  const double plot_top = top + 18;  // room for the value over the highest bar
  const double bottom = height - kMargin - 50;
  const double scale = (bottom - plot_top) / axis_max;
  cairo_set_line_width(cr, 1);
  for (double v = 0; v <= axis_max + 1e-9; v += step) {
    const double y = std::round(bottom - v * scale) + 0.5;
    set(cr, kGrid);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
    const Size s = size_of(text_layout(cr, "0", kSmallFont).get());
    draw_text(cr, std::to_string(static_cast<long>(v)), kSmallFont, x0 - 6, y - s.h / 2, Align::right, kMuted);
  }
  // The value axis title, turned a quarter left, centred on the plot.
  {
    Layout l = text_layout(cr, c.value_axis, kFont);
    const Size s = size_of(l.get());
    cairo_save(cr);
    cairo_move_to(cr, kMargin, (plot_top + bottom) / 2 + s.w / 2);
    cairo_rotate(cr, -M_PI / 2);
    set(cr, kText);
    pango_cairo_show_layout(cr, l.get());
    cairo_restore(cr);
  }
  const std::size_t n = std::max<std::size_t>(1, c.categories.size());
  const std::size_t ns = std::max<std::size_t>(1, c.series.size());
  const double slot = (x1 - x0) / static_cast<double>(n);
  const double bar_w = std::min(64.0, slot * 0.75 / static_cast<double>(ns));
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    const double cx = x0 + slot * (static_cast<double>(i) + 0.5);
    const double gx = cx - bar_w * static_cast<double>(ns) / 2;
    for (std::size_t k = 0; k < ns && k < c.bars.size(); ++k) {
      const auto& b = c.bars[k][i];
      const double h = b.value * scale;
      const double x = gx + bar_w * static_cast<double>(k);
      set(cr, colour_of(c, k));
      cairo_rectangle(cr, x + 1, bottom - h, bar_w - 2, h);
      cairo_fill(cr);
      const Size v = size_of(text_layout(cr, b.label, kValueFont).get());
      draw_text(cr, b.label, kValueFont, x + bar_w / 2, bottom - h - v.h - 2, Align::centre, kText);
    }
    draw_text(cr, c.categories[i], kFont, cx, bottom + 6, Align::centre, kText, slot - 4);
  }
  set(cr, kAxis);
  cairo_move_to(cr, x0, std::round(bottom) + 0.5);
  cairo_line_to(cr, x1, std::round(bottom) + 0.5);
  cairo_stroke(cr);
  draw_text(cr, c.category_axis, kFont, (x0 + x1) / 2, bottom + 28, Align::centre, kText);
}

void draw(cairo_t* cr, const stats::BarChart& c) {
  const double width = kChartWidth;
  const double height = chart_height(c);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, width, height);
  cairo_fill(cr);
  const double top = draw_header(cr, c, width);
  if (c.categories.empty()) return;
  if (c.horizontal) {
    draw_horizontal(cr, c, width, top, height);
  } else {
    draw_vertical(cr, c, width, top, height);
  }
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

Result<std::string> finish(cairo_t* cr, cairo_surface_t* surface, std::string& out, bool png) {
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  if (png && status == CAIRO_STATUS_SUCCESS) status = cairo_surface_write_to_png_stream(surface, append, &out);
  cairo_surface_finish(surface);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) return fail(Errc::io, std::string("drawing a chart: ") + cairo_status_to_string(status));
  return std::move(out);
}

}  // namespace

Result<std::string> render_chart_svg(const stats::BarChart& chart) {
  std::string out;
  cairo_surface_t* surface = cairo_svg_surface_create_for_stream(append, &out, kChartWidth, chart_height(chart));
  cairo_t* cr = cairo_create(surface);
  draw(cr, chart);
  return finish(cr, surface, out, false);
}

Result<std::string> render_chart_png(const stats::BarChart& chart) {
  constexpr double kScale = 2;
  std::string out;
  cairo_surface_t* surface =
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(kChartWidth * kScale),
                                 static_cast<int>(std::ceil(chart_height(chart) * kScale)));
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, kScale, kScale);
  draw(cr, chart);
  return finish(cr, surface, out, true);
}

}  // namespace dossier::io
