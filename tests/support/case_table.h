// Reads the data-driven case tables of tests/cases/ (STYLE.md C10): tab-separated, '#' lines
// are comments, the first other line is the header. Each row becomes column → cell, plus its
// line number for failure messages.
#ifndef LIVERCELL_TESTS_SUPPORT_CASE_TABLE_H_
#define LIVERCELL_TESTS_SUPPORT_CASE_TABLE_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace livercell::testing {

struct CaseRow {
  std::string file;
  int line = 0;
  std::map<std::string, std::string> cells;
  const std::string& operator[](const std::string& column) const { return cells.at(column); }
};

// All rows of `path` (relative to tests/cases/). Throws if the file cannot be read or a row
// has the wrong number of cells.
std::vector<CaseRow> ReadCaseTable(const std::string& path);

inline void PrintTo(const CaseRow& row, std::ostream* os) {
  *os << row.file << ":" << row.line;
  auto it = row.cells.find("case");
  if (it != row.cells.end()) *os << " (" << it->second << ")";
}

}  // namespace livercell::testing

#endif  // LIVERCELL_TESTS_SUPPORT_CASE_TABLE_H_
