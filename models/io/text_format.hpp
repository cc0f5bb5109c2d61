#pragma once
// Numbers and tables for terminals: estimates rounded to what their intervals support.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sim/statistics.hpp"

namespace capsim::models {

/// "9.003 ± 0.021": the mean rounded to the precision its half-width supports.
std::string format_estimate(const sim::Estimate& estimate);
/// A number with `significant` significant digits, or "n/a" for NaN.
std::string format_number(double value, int significant = 4);

/// Terminal columns taken by a UTF-8 string.
std::size_t display_width(const std::string& text);

/// A plain text table: columns padded to their widest cell; the first `left_aligned` columns
/// (names) are left-aligned, the others (numbers) right-aligned.
class TextTable final {
 public:
  explicit TextTable(std::vector<std::string> header, std::size_t left_aligned = 1)
      : left_aligned_(left_aligned) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const;

 private:
  std::size_t left_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace capsim::models
