// An analysis table read from CSV (specs/stats.md "Input"): a header row, then cells that are
// numbers, TRUE/FALSE (1/0), text, or missing (empty or NA). A column whose every present cell
// is a number is numeric; otherwise it is text. Errors name the line and column.
#ifndef LIVERCELL_STATS_TABLE_H_
#define LIVERCELL_STATS_TABLE_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/stats/buffer.h"

namespace livercell::stats {

struct Column {
  std::string name;
  bool numeric = true;
  Buffer<double> numbers;            // numeric columns; NaN = missing
  std::vector<std::uint32_t> codes;  // text columns: each row's entry in `texts`
  std::vector<std::string> texts;    // text columns: distinct values, first seen first; "" = NA
  bool IsMissing(std::size_t row) const {
    return numeric ? std::isnan(numbers[row]) : texts[codes[row]].empty();
  }
  std::string_view Text(std::size_t row) const { return texts[codes[row]]; }  // "" when NA
};

class Table {
 public:
  // Reads `path` ("-" = standard input). When `wanted` is not empty only those columns are
  // parsed (the others are known by name only), which keeps memory near the size of the data
  // used. Quoted fields ("a, b", "say ""hi""") are supported. A large file without quotes is
  // parsed in chunks on every core; the result does not depend on the chunking.
  static base::Result<Table> ReadCsv(const std::string& path,
                                     const std::vector<std::string>& wanted = {});
  // From rows of text cells (tests).
  static base::Result<Table> FromRows(std::vector<std::string> header,
                                      const std::vector<std::vector<std::string>>& rows);

  std::size_t rows() const { return rows_; }
  // The column, or kInvalidArgument naming it with the closest existing name
  // ("unknown column \"billi\" (did you mean \"bili\"?)").
  base::Result<const Column*> Find(std::string_view name) const;

 private:
  std::vector<Column> columns_;
  std::size_t rows_ = 0;
};

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_TABLE_H_
