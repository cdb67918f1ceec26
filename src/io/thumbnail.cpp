#include "io/thumbnail.hpp"

#include <cairo.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace dossier::io {
namespace {

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string grey_thumbnail_png(const unsigned char* grey, int width, int height, int stride, unsigned max_width,
                               unsigned max_height) {
  if (grey == nullptr || width <= 0 || height <= 0 || stride < width || max_width == 0 || max_height == 0) return {};
  double scale = static_cast<double>(max_width) / width;
  if (height * scale > max_height) scale = static_cast<double>(max_height) / height;
  scale = std::min(scale, 1.0);
  const int out_w = std::max(1, static_cast<int>(std::lround(width * scale)));
  const int out_h = std::max(1, static_cast<int>(std::lround(height * scale)));
  // The grey image is used as the alpha of white over black, which draws its greys as they are.
  // cairo wants A8 rows on 4-byte boundaries; other rows are copied.
  const int a8_stride = cairo_format_stride_for_width(CAIRO_FORMAT_A8, width);
  std::vector<unsigned char> copy;
  const unsigned char* rows = grey;
  if (stride != a8_stride) {
    copy.resize(static_cast<std::size_t>(a8_stride) * static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y)
      std::memcpy(copy.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(a8_stride),
                  grey + static_cast<std::size_t>(y) * static_cast<std::size_t>(stride), static_cast<std::size_t>(width));
    rows = copy.data();
  }
  cairo_surface_t* alpha = cairo_image_surface_create_for_data(const_cast<unsigned char*>(rows), CAIRO_FORMAT_A8, width,
                                                               height, a8_stride);
  cairo_surface_t* out = cairo_image_surface_create(CAIRO_FORMAT_RGB24, out_w, out_h);
  cairo_t* cr = cairo_create(out);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_paint(cr);
  cairo_scale(cr, static_cast<double>(out_w) / width, static_cast<double>(out_h) / height);
  cairo_pattern_t* mask = cairo_pattern_create_for_surface(alpha);
  cairo_pattern_set_filter(mask, CAIRO_FILTER_GOOD);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_mask(cr, mask);
  cairo_pattern_destroy(mask);
  std::string png;
  const bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS &&
                  (cairo_surface_flush(out), cairo_surface_write_to_png_stream(out, append_png, &png)) == CAIRO_STATUS_SUCCESS;
  cairo_destroy(cr);
  cairo_surface_destroy(out);
  cairo_surface_destroy(alpha);
  return ok ? png : std::string{};
}

std::string page_thumbnail_png(poppler::page& page, unsigned max_width, unsigned max_height) {
  const poppler::rectf box = page.page_rect(poppler::crop_box);
  double w = box.width(), h = box.height();
  const auto o = page.orientation();
  if (o == poppler::page::landscape || o == poppler::page::seascape) std::swap(w, h);
  if (!(w > 1.0 && h > 1.0 && w < 1e6 && h < 1e6)) return {};
  double dpi = 72.0 * max_width / w;
  if (h * dpi / 72.0 > max_height) dpi = 72.0 * max_height / h;
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_argb32);
  poppler::image img = renderer.render_page(&page, dpi, dpi);
  if (!img.is_valid() || img.format() != poppler::image::format_argb32) return {};
  const int stride = img.bytes_per_row();
  if (stride != cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, img.width())) return {};
  cairo_surface_t* surface = cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(img.data()),
                                                                 CAIRO_FORMAT_ARGB32, img.width(), img.height(), stride);
  std::string png;
  const bool ok = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS &&
                  cairo_surface_write_to_png_stream(surface, append_png, &png) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy(surface);
  return ok ? png : std::string{};
}

std::vector<std::string> own_pdf_pages_png(std::string_view pdf, unsigned max_pages, unsigned max_width,
                                           unsigned max_height) {
  std::vector<std::string> out;
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(std::min<std::size_t>(pdf.size(), 1u << 30))));
  if (!doc || doc->is_locked()) return out;
  const int pages = std::min(doc->pages(), static_cast<int>(max_pages));
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) break;
    std::string png = page_thumbnail_png(*page, max_width, max_height);
    if (png.empty()) break;
    out.push_back(std::move(png));
  }
  return out;
}

}  // namespace dossier::io
