#include "case_table.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace livercell::testing {
namespace {

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t')) cells.push_back(cell);
  if (!line.empty() && line.back() == '\t') cells.emplace_back();
  return cells;
}

}  // namespace

std::vector<CaseRow> ReadCaseTable(const std::string& path) {
  const std::string full = std::string(LIVERCELL_SOURCE_DIR) + "/tests/cases/" + path;
  std::ifstream in(full);
  if (!in) throw std::runtime_error("cannot read " + full);
  std::vector<std::string> header;
  std::vector<CaseRow> rows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line[0] == '#') continue;
    std::vector<std::string> cells = SplitTabs(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    if (cells.size() != header.size()) {
      throw std::runtime_error(full + ":" + std::to_string(number) + ": expected " +
                               std::to_string(header.size()) + " cells, got " +
                               std::to_string(cells.size()));
    }
    CaseRow row{path, number, {}};
    for (std::size_t i = 0; i < header.size(); ++i) row.cells[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace livercell::testing
