// io/thumbnail.hpp: a grey page render scaled down to the report's picture, read back with cairo.
#include <gtest/gtest.h>

#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/thumbnail.hpp"

namespace dossier::io {
namespace {

struct Decoded {
  int width = 0, height = 0;
  std::vector<std::uint8_t> grey;  // the green channel of each pixel (the image is grey)
};

Decoded decode(const std::string& png) {
  struct Source {
    const std::string& bytes;
    std::size_t at = 0;
  } source{png};
  auto read = [](void* closure, unsigned char* data, unsigned int length) -> cairo_status_t {
    auto* s = static_cast<Source*>(closure);
    if (s->bytes.size() - s->at < length) return CAIRO_STATUS_READ_ERROR;
    std::copy_n(s->bytes.data() + s->at, length, data);
    s->at += length;
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* image = cairo_image_surface_create_from_png_stream(read, &source);
  Decoded d;
  if (cairo_surface_status(image) == CAIRO_STATUS_SUCCESS) {
    d.width = cairo_image_surface_get_width(image);
    d.height = cairo_image_surface_get_height(image);
    const int stride = cairo_image_surface_get_stride(image);
    const unsigned char* data = cairo_image_surface_get_data(image);
    for (int y = 0; y < d.height; ++y)
      for (int x = 0; x < d.width; ++x) {
        std::uint32_t px = 0;
        std::copy_n(data + y * stride + x * 4, 4, reinterpret_cast<unsigned char*>(&px));
        d.grey.push_back(static_cast<std::uint8_t>((px >> 8) & 0xFF));
      }
  }
  cairo_surface_destroy(image);
  return d;
}

// An A4 page at 150 dpi (1240 x 1754): black up to x = 623, which falls inside thumbnail pixel
// 90 (source pixels 620 to 627), white after it, and a grey band at the
// bottom. Its rows are 1241 bytes apart (not on cairo's 4-byte boundary: copied).
TEST(Thumbnail, GreyPageScalesDownToTheReportWidthKeepingItsGreys) {
  const int w = 1240, h = 1754, stride = 1241;
  std::vector<unsigned char> page(static_cast<std::size_t>(stride * h), 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      page[static_cast<std::size_t>(y * stride + x)] = y >= h - 200 ? 128 : (x < 623 ? 0 : 255);
  const std::string png = grey_thumbnail_png(page.data(), w, h, stride);
  ASSERT_FALSE(png.empty());
  const Decoded d = decode(png);
  ASSERT_EQ(d.width, static_cast<int>(kThumbnailWidth));
  EXPECT_EQ(d.height, 255);  // 1754 * 180 / 1240, rounded
  auto at = [&](int x, int y) { return static_cast<int>(d.grey[static_cast<std::size_t>(y * d.width + x)]); };
  EXPECT_LE(at(10, 50), 8) << "black stays black";
  EXPECT_GE(at(170, 50), 247) << "white stays white";
  EXPECT_NEAR(at(90, d.height - 5), 128, 8) << "grey stays grey";
  const int edge = at(d.width / 2, 50);
  EXPECT_GT(edge, 8);  // the pixel on the edge is a mean of both halves, not a sample of one
  EXPECT_LT(edge, 247);
}

TEST(Thumbnail, VeryLongPageIsBoundByTheMaximumHeight) {
  const int w = 100, h = 5000;
  std::vector<unsigned char> page(static_cast<std::size_t>(w * h), 255);
  const Decoded d = decode(grey_thumbnail_png(page.data(), w, h, w));
  EXPECT_EQ(d.height, static_cast<int>(kThumbnailMaxHeight));
  EXPECT_EQ(d.width, 8);  // 100 * 400 / 5000
}

TEST(Thumbnail, SmallPageIsNotEnlargedAndNothingIsMadeOfNothing) {
  std::vector<unsigned char> page(40 * 30, 200);
  const Decoded d = decode(grey_thumbnail_png(page.data(), 40, 30, 40));
  EXPECT_EQ(d.width, 40);
  EXPECT_EQ(d.height, 30);
  EXPECT_TRUE(grey_thumbnail_png(nullptr, 40, 30, 40).empty());
  EXPECT_TRUE(grey_thumbnail_png(page.data(), 0, 30, 40).empty());
  EXPECT_TRUE(grey_thumbnail_png(page.data(), 40, 30, 39).empty());  // rows shorter than the width
}

}  // namespace
}  // namespace dossier::io
