#include "models/io/text_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace capsim::models {

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return width;
}

std::string TextTable::render() const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(widths[c] - display_width(row[c]), ' ');
      if (c > 0) line += "  ";
      line += c < left_aligned_ ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}g}", value, significant);
}

std::string format_estimate(const sim::Estimate& estimate) {
  if (std::isnan(estimate.mean)) return "n/a";
  if (std::isnan(estimate.half_width)) return format_number(estimate.mean);
  if (estimate.half_width == 0) return format_number(estimate.mean, 6);  // no variation at all
  // Two significant digits of the half-width fix the decimals of both numbers.
  const int decimals =
      std::max(0, 1 - static_cast<int>(std::floor(std::log10(estimate.half_width))));
  if (decimals > 8 || std::fabs(estimate.mean) >= 1e7) {
    return fmt::format("{:.4g} ± {:.2g}", estimate.mean, estimate.half_width);
  }
  return fmt::format("{:.{}f} ± {:.{}f}", estimate.mean, decimals, estimate.half_width, decimals);
}

}  // namespace capsim::models
