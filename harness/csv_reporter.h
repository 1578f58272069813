// Writes results.csv (docs/contracts.md, "results.csv columns"): one row per
// step and repeat. The header is fixed before the first row: the sweep keys
// (one column per swept dotted key, sweep order), then step and repeat, then
// the contract's columns (Row::column_names()), then the run's extra columns
// (registry columns, columns.h), each cell printed by its registry entry. Every row is
// flushed as it is written, so an interrupted run keeps every finished row.
// With repeats > 1, a step's rows are followed by its aggregate rows (mean,
// stddev, min, max, n: aggregate.h), whose repeat cell is empty.
// Fields are escaped as RFC 4180 says (quotes, commas, line breaks).
#pragma once

#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

#include "harness/columns.h"
#include "harness/reporter.h"

namespace hydra {

class CsvReporter : public Reporter {
 public:
  // Creates (truncates) the file, and its parent folders; throws
  // std::runtime_error naming the path when it cannot.
  explicit CsvReporter(const std::filesystem::path& path);

  // Writes the header. Throws std::invalid_argument when an extra column is
  // not a registry column outside the contract.
  void on_run_start(const RunInfo& info) override;
  // Writes one row and flushes it. Throws std::runtime_error when the write
  // fails. Without a prior on_run_start, the first row fixes the header.
  void on_step_done(const Row& row, const StepResult& result) override;
  // Writes one aggregate row (aggregate.h): the step's sweep values and
  // index, an empty repeat, the statistic in the `aggregate` column and its
  // values; flushed like a row. Needs the header written first.
  void on_aggregate(const AggregateRow& row) override;
  void on_run_end(bool interrupted) override;

  const std::vector<std::string>& header() const { return header_; }

 private:
  void write_header(const std::vector<std::string>& sweep_keys,
                    const std::vector<std::string>& extra_columns);
  void write_line(const std::vector<std::string>& cells);
  std::vector<std::string> sweep_cells(
      const std::vector<std::pair<std::string, std::string>>& swept) const;

  std::filesystem::path path_;
  std::ofstream out_;
  std::vector<std::string> sweep_keys_;
  std::vector<std::string> extra_columns_;
  std::vector<const Column*> columns_;  // the registry columns after step and repeat
  std::vector<std::string> header_;     // empty until written
};

// The results.csv header for these sweep keys and extra columns.
std::vector<std::string> csv_header(const std::vector<std::string>& sweep_keys,
                                    const std::vector<std::string>& extra_columns);

// One field as RFC 4180 wants it: quoted (quotes doubled) when it holds a
// comma, a quote or a line break, as is otherwise.
std::string csv_escape(const std::string& field);

// Fields escaped and joined with commas, ending with "\n".
std::string csv_line(const std::vector<std::string>& fields);

// Reads RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks;
// LF or CRLF line ends) into records of fields. For tests and `hydra plot`.
std::vector<std::vector<std::string>> read_csv(std::istream& in);

}  // namespace hydra
