#include "harness/csv_reporter.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace hydra {

std::vector<std::string> csv_header(const std::vector<std::string>& sweep_keys,
                                    const std::vector<std::string>& extra_columns) {
  std::vector<std::string> h = sweep_keys;
  h.push_back("step");
  h.push_back("repeat");
  const auto& cols = Row::column_names();
  h.insert(h.end(), cols.begin(), cols.end());
  h.insert(h.end(), extra_columns.begin(), extra_columns.end());
  return h;
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    line += csv_escape(fields[i]);
  }
  line += '\n';
  return line;
}

std::vector<std::vector<std::string>> read_csv(std::istream& in) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;  // inside a quoted field
  bool any = false;     // the current record has begun
  char c;
  auto end_record = [&] {
    record.push_back(std::move(field));
    field.clear();
    records.push_back(std::move(record));
    record.clear();
    any = false;
  };
  while (in.get(c)) {
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        quoted = true;
        any = true;
        break;
      case ',':
        record.push_back(std::move(field));
        field.clear();
        any = true;
        break;
      case '\r':
        if (in.peek() == '\n') in.get(c);
        end_record();
        break;
      case '\n':
        end_record();
        break;
      default:
        field += c;
        any = true;
    }
  }
  if (any || !field.empty() || !record.empty()) end_record();
  return records;
}

CsvReporter::CsvReporter(const std::filesystem::path& path) : path_(path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  out_.open(path, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!out_) {
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
}

void CsvReporter::on_run_start(const RunInfo& info) {
  if (header_.empty()) write_header(info.sweep_keys, info.extra_columns);
}

void CsvReporter::write_header(const std::vector<std::string>& sweep_keys,
                               const std::vector<std::string>& extra_columns) {
  for (const auto& name : extra_columns) {
    const Column* c = find_column(name);
    if (!c || c->group == ColumnGroup::kContract)
      throw std::invalid_argument("results.csv: '" + name +
                                  "' is not an extra column of the registry (harness/columns.cc)");
  }
  sweep_keys_ = sweep_keys;
  extra_columns_ = extra_columns;
  header_ = csv_header(sweep_keys_, extra_columns_);
  columns_.clear();
  for (const auto& name : Row::column_names()) columns_.push_back(find_column(name));
  for (const auto& name : extra_columns_) columns_.push_back(find_column(name));
  write_line(header_);
}

void CsvReporter::on_step_done(const Row& row, const StepResult& /*result*/) {
  if (header_.empty()) {
    std::vector<std::string> keys, extra;
    for (const auto& [k, v] : row.swept) keys.push_back(k);
    for (const auto& [c, v] : row.step_values) extra.push_back(c->name);
    write_header(keys, extra);
  }
  // Cells go by name into the fixed header: a sweep key the row lacks, or a
  // column it has no value for, stays empty.
  std::vector<std::string> cells = sweep_cells(row.swept);
  cells.push_back(std::to_string(row.step));
  cells.push_back(std::to_string(row.repeat));
  for (const Column* c : columns_) cells.push_back(row.cell(*c));
  write_line(cells);
}

void CsvReporter::on_aggregate(const AggregateRow& row) {
  if (header_.empty())
    throw std::logic_error("results.csv: an aggregate row before the header (no step row yet)");
  std::vector<std::string> cells = sweep_cells(row.swept);
  cells.push_back(std::to_string(row.step));
  cells.push_back("");  // not one repeat: all of them
  for (const Column* c : columns_) cells.push_back(row.cell(*c));
  write_line(cells);
}

std::vector<std::string> CsvReporter::sweep_cells(
    const std::vector<std::pair<std::string, std::string>>& swept) const {
  std::vector<std::string> cells;
  cells.reserve(header_.size());
  for (const auto& key : sweep_keys_) {
    std::string cell;
    for (const auto& [k, v] : swept)
      if (k == key) cell = v;
    cells.push_back(std::move(cell));
  }
  return cells;
}

void CsvReporter::on_run_end(bool /*interrupted*/) {
  out_.flush();
}

void CsvReporter::write_line(const std::vector<std::string>& cells) {
  out_ << csv_line(cells);
  out_.flush();
  if (!out_) throw std::runtime_error("writing " + path_.string() + " failed");
}

}  // namespace hydra
