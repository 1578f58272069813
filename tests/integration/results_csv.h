// Reading a run's results.csv in the integration tests: one row per line,
// column name -> cell text. Quoted cells (an error text) keep their commas;
// the CSV writer (harness/csv_reporter.cc) never puts a newline in a cell.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace hydra::test {

using CsvRow = std::map<std::string, std::string>;

inline std::vector<std::string> split_csv_line(const std::string& s) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (char c : s) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.push_back(cell), cell.clear();
    else
      cell += c;
  }
  out.push_back(cell);
  return out;
}

inline std::vector<CsvRow> read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::vector<CsvRow> rows;
  if (!std::getline(in, line)) return rows;
  const auto header = split_csv_line(line);
  while (std::getline(in, line)) {
    const auto cells = split_csv_line(line);
    CsvRow row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace hydra::test
