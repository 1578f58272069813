// Aggregate rows: with `repeats: R`, each step's R rows are followed in
// results.csv by rows that summarize them, one per statistic (the
// `aggregate` column names it): mean, stddev, min, max and n. Written by
// cmd_run.cc after a step's last repeat (through Reporter::on_aggregate),
// read back by the generic sweep plots (plot.cc) for their error bars.
//
// Every numeric column is aggregated over the repeats that have a value in
// it: an empty cell (a figure not measured) is left out, never taken as 0,
// and the `n` row says how many values each cell's statistic stands on. A
// statistic of no values is empty; stddev (the sample standard deviation,
// n - 1 in the denominator) needs two. Text columns are empty. Only rows
// that ran to their end (`ok` or `failed`) are aggregated; `skipped` and
// `interrupted` ones are not.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/columns.h"
#include "harness/row.h"

namespace hydra {

// One aggregate row of one step.
struct AggregateRow {
  int step = 0;
  // The step's sweep values, as its rows print them.
  std::vector<std::pair<std::string, std::string>> swept;
  std::string statistic;  // "mean", "stddev", "min", "max" or "n"
  // Column name -> value (a double; an integer for "n"); a column not listed
  // is empty.
  std::map<std::string, Value> values;

  // The printed cell of a column: "mean" and "stddev" of an integer column
  // with three decimals, "n" as an integer, the others in the column's own
  // format.
  std::string cell(const Column& column) const;
};

// The statistics, in the order their rows are written.
const std::vector<std::string>& aggregate_statistics();

// Mean, standard deviation, min, max and count of some values (the
// statistics over the finite ones; NaN stands for "no value").
struct Summary {
  int n = 0;
  double mean = 0, stddev = 0, min = 0, max = 0;
};
Summary summarize_values(const std::vector<double>& values);

// Whether a row takes part in its step's aggregates (status ok or failed).
bool aggregated(const Row& row);

// The aggregate rows of one step's repeats, over the given columns (numeric
// ones; text columns are skipped), one row per statistic in
// aggregate_statistics() order. Empty when no row takes part.
std::vector<AggregateRow> aggregate_rows(const std::vector<Row>& repeats,
                                         const std::vector<const Column*>& columns);

// The columns of a run's rows: the contract's, then `extra_columns` (names of
// registry columns), as results.csv lists them.
std::vector<const Column*> row_columns(const std::vector<std::string>& extra_columns);

}  // namespace hydra
