#include "harness/aggregate.h"

#include <algorithm>
#include <cmath>

namespace hydra {

const std::vector<std::string>& aggregate_statistics() {
  static const std::vector<std::string> names = {"mean", "stddev", "min", "max", "n"};
  return names;
}

Summary summarize_values(const std::vector<double>& values) {
  Summary s;
  double sum = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (s.n == 0 || v < s.min) s.min = v;
    if (s.n == 0 || v > s.max) s.max = v;
    sum += v;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  double squares = 0;
  for (double v : values)
    if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
  s.stddev = s.n > 1 ? std::sqrt(squares / (s.n - 1)) : 0;
  return s;
}

bool aggregated(const Row& row) {
  return row.status == "ok" || row.status == "failed";
}

std::string AggregateRow::cell(const Column& column) const {
  const auto it = values.find(column.name);
  if (it == values.end()) return "";
  // A mean of whole numbers is not one: three decimals keep it honest.
  // A count is a whole number whatever the column holds.
  const bool fractional = statistic == "mean" || statistic == "stddev";
  ColumnFormat f = column.format;
  if (fractional && f == ColumnFormat::kInteger) f = ColumnFormat::kFixed3;
  if (statistic == "n" && f != ColumnFormat::kText) f = ColumnFormat::kInteger;
  return format_value(it->second, f);
}

std::vector<AggregateRow> aggregate_rows(const std::vector<Row>& repeats,
                                         const std::vector<const Column*>& columns) {
  std::vector<const Row*> rows;
  for (const auto& r : repeats)
    if (aggregated(r)) rows.push_back(&r);
  if (rows.empty()) return {};
  std::vector<AggregateRow> out;
  for (const auto& statistic : aggregate_statistics()) {
    AggregateRow a;
    a.step = rows.front()->step;
    a.swept = rows.front()->swept;
    a.statistic = statistic;
    a.values["aggregate"] = statistic;
    out.push_back(std::move(a));
  }
  for (const Column* c : columns) {
    if (c->format == ColumnFormat::kText) continue;
    std::vector<double> values;
    for (const Row* r : rows) values.push_back(value_number(r->value(*c)));
    const Summary s = summarize_values(values);
    out[4].values[c->name] = Value(int64_t(s.n));
    if (s.n == 0) continue;
    out[0].values[c->name] = s.mean;
    if (s.n > 1) out[1].values[c->name] = s.stddev;
    out[2].values[c->name] = s.min;
    out[3].values[c->name] = s.max;
  }
  return out;
}

std::vector<const Column*> row_columns(const std::vector<std::string>& extra_columns) {
  std::vector<const Column*> out;
  for (const auto& c : columns())
    if (c.group == ColumnGroup::kContract) out.push_back(&c);
  for (const auto& name : extra_columns)
    if (const Column* c = find_column(name)) out.push_back(c);
  return out;
}

}  // namespace hydra
