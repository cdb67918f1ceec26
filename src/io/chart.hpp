// The charts of dossier stats (docs/stats.md, "Charts"): a bar chart drawn with cairo, its text
// laid out with pango in DejaVu Sans, as SVG (for a report's layout program) and PNG (twice the
// nominal size, for a word processor). Categories with long names are drawn as horizontal bars;
// every bar carries its value, and a suppressed count ("<5") is a bar of no height with its
// label. Nothing here reads or writes files.
#pragma once

#include <string>

#include "core/result.hpp"
#include "core/stats.hpp"

namespace dossier::io {

// The size a chart is drawn at, in points (SVG) or pixels before the PNG's scale of 2.
inline constexpr double kChartWidth = 900;

// Errc::io when cairo fails.
Result<std::string> render_chart_svg(const stats::BarChart& chart);
Result<std::string> render_chart_png(const stats::BarChart& chart);

}  // namespace dossier::io
