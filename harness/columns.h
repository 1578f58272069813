// The registry of results.csv columns: every column after the sweep keys,
// step and repeat is declared once here (columns.cc) with its name, unit,
// printed format, a one-line doc, when it applies and how its value is
// computed. The CSV, JSON and console reporters print from it; the README's
// column table is checked against it (tests/harness/columns_test.cc); the
// plot scripts find columns by name through plot.h's columns.gp.
//
// Three groups, printed in this order:
//   contract    the columns docs/contracts.md fixes, in its order and
//               spelling: the figures compute_row() derives (row.h)
//   run         the controller's own diagnostics (every `hydra run`)
//   processing  the processing stage's figures, only in runs where some
//               step has a processing stage
//
// Adding a column: one entry in columns.cc's table, computed from the
// StepResult (plus, when the figure is new, where the step runner collects
// it). Values are typed; a figure that was not measured is empty, never 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace hydra {

struct Row;
struct StepResult;
struct StepTimings;
struct Scenario;
struct Step;
struct ProcessingStats;

// A cell: empty (not measured, or does not apply), an integer, a real number
// or text.
using Value = std::variant<std::monostate, int64_t, uint64_t, double, std::string>;

// How a number is printed (results.csv, console): integers as integers, reals
// with a fixed number of decimals, or %g.
enum class ColumnFormat {
  kInteger,
  kFixed1,
  kFixed2,
  kFixed3,
  kFixed4,
  kShortest,  // %g: scenario settings printed as the user wrote them
  kText,
};

enum class ColumnGroup { kContract, kRun, kProcessing };

// What a step column is computed from.
struct StepInput {
  const StepResult& result;
  const Row& row;                     // the contract's figures, already derived
  const StepTimings* timings;         // null when the step never ran (not measured)
  const Scenario* scenario;           // the step's scenario; null when not known
  const ProcessingStats& processing;  // the clients' processing stats, merged
};

struct Column {
  const char* name;
  const char* unit;  // "msg/s", "ms", ...; "" for text
  ColumnFormat format;
  ColumnGroup group;
  const char* doc;  // one line, for the README table
  // Exactly one of these is set. Contract columns read the figure
  // compute_row() derived; the others are computed once per step.
  Value (*of_row)(const Row&) = nullptr;
  Value (*of_step)(const StepInput&) = nullptr;

  bool processing_only() const { return group == ColumnGroup::kProcessing; }
};

// Every column, in results.csv order.
const std::vector<Column>& columns();

// The column of that name; null when there is none.
const Column* find_column(std::string_view name);

// The names of one group's columns, in order.
std::vector<std::string> column_names(ColumnGroup group);

// The columns `hydra run` prints after the contract's: the run group, then
// the processing group when the run has a processing stage.
std::vector<std::string> run_extra_columns(bool processing);

// Whether any step of the run has a processing stage.
bool uses_processing(const std::vector<Step>& steps);

// A value as results.csv prints it: "" when empty.
std::string format_value(const Value& v, ColumnFormat format);

// Prints a real the way results.csv does for this format (no "-0.0").
std::string format_cell(double value, ColumnFormat format);

// A value in the step JSON: null when empty or not finite.
nlohmann::ordered_json value_json(const Value& v);

// The number in a value; NaN when it is empty or text.
double value_number(const Value& v);

// The clients' processing stats blocks, merged (a malformed block is left
// out: the step JSON keeps it for inspection).
ProcessingStats merged_processing(const StepResult& result);

// The README's column table (markdown rows between its column markers).
std::string columns_markdown();

}  // namespace hydra
