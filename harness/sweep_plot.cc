#include "harness/sweep_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "harness/aggregate.h"
#include "harness/plot.h"

namespace fs = std::filesystem;

namespace hydra {
namespace {

struct Quantity {
  const char* title;
  const char* column;
};
struct Kind {
  const char* name;
  const char* title;
  const char* ylabel;
  bool log_y;
  std::vector<Quantity> quantities;
};

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> k = {
      {"sweep_throughput",
       "Throughput",
       "msg/s",
       false,
       {{"sent", "average_tx_rate"},
        {"received per client", "rx_rate"},
        {"consumed per client", "consumed_rate"}}},
      {"sweep_mb",
       "Throughput in MB/s (MB = 2^20 bytes)",
       "MB/s",
       false,
       {{"sent", "tx_mb_s"}, {"received, all clients", "rx_mb_s"}}},
      {"sweep_loss",
       "Loss",
       "% of the window lost (mean over clients)",
       false,
       {{"loss", "average_packet_loss"}}},
      {"sweep_latency",
       "End-to-end latency",
       "ms (log scale)",
       true,
       {{"p50", "lat_p50_ms"}, {"p99", "lat_p99_ms"}, {"p99.9", "lat_p999_ms"}}},
      {"sweep_ack",
       "Publisher ack latency",
       "ms (log scale)",
       true,
       {{"ack p50", "ack_p50_ms"}, {"ack p99", "ack_p99_ms"}}},
  };
  return k;
}

// A cell as a number; NaN when empty or not a number.
double number(const std::string& s) {
  if (s.empty()) return NAN;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  return end && *end == '\0' && std::isfinite(d) ? d : NAN;
}

class Table {
 public:
  explicit Table(const std::vector<std::vector<std::string>>& records) : records_(records) {
    if (records.empty()) return;
    header_ = records.front();
    const auto step = std::find(header_.begin(), header_.end(), "step");
    sweep_keys_.assign(header_.begin(), step);
    // Measured rows: not an aggregate row, ran to its end, whole (an error
    // text with a line break cannot shift a row that still has its
    // client_count number).
    const int agg = col("aggregate"), status = col("status"), clients = col("client_count");
    for (size_t r = 1; r < records.size(); ++r) {
      const auto& rec = records[r];
      if (rec.size() < header_.size()) continue;
      if (agg >= 0 && !rec[size_t(agg)].empty()) continue;
      if (status >= 0 && rec[size_t(status)] != "ok" && rec[size_t(status)] != "failed") continue;
      if (clients >= 0 && std::isnan(number(rec[size_t(clients)]))) continue;
      rows_.push_back(&rec);
    }
  }
  int col(const std::string& name) const {
    const auto it = std::find(header_.begin(), header_.end(), name);
    return it == header_.end() ? -1 : int(it - header_.begin());
  }
  const std::vector<std::string>& sweep_keys() const { return sweep_keys_; }
  const std::vector<const std::vector<std::string>*>& rows() const { return rows_; }
  std::string cell(const std::vector<std::string>& row, int c) const {
    return c >= 0 && size_t(c) < row.size() ? row[size_t(c)] : "";
  }
  // Distinct values of a column over the measured rows, in order of appearance.
  std::vector<std::string> distinct(int c) const {
    std::vector<std::string> out;
    for (const auto* r : rows_) {
      const std::string v = cell(*r, c);
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
  }

 private:
  const std::vector<std::vector<std::string>>& records_;
  std::vector<std::string> header_;
  std::vector<std::string> sweep_keys_;
  std::vector<const std::vector<std::string>*> rows_;
};

bool all_numbers(const std::vector<std::string>& values) {
  return std::all_of(values.begin(), values.end(),
                     [](const std::string& v) { return !std::isnan(number(v)); });
}

bool is_search(const Table& t) {
  const int probe = t.col("probe");
  if (probe < 0) return false;
  return std::any_of(t.rows().begin(), t.rows().end(),
                     [&](const auto* r) { return !t.cell(*r, probe).empty(); });
}

}  // namespace

const std::vector<std::string>& sweep_plot_kinds() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& k : kinds()) n.push_back(k.name);
    return n;
  }();
  return names;
}

SweepPlotSet sweep_plots(const std::vector<std::vector<std::string>>& records) {
  SweepPlotSet set;
  const Table t(records);
  if (t.rows().empty()) return set;
  const auto& keys = t.sweep_keys();
  std::vector<std::string> varying;  // swept keys with more than one value
  for (const auto& k : keys)
    if (t.distinct(t.col(k)).size() > 1) varying.push_back(k);
  if (is_search(t)) {
    set.x_key = "msg_rate";
  } else {
    for (auto k = varying.rbegin(); k != varying.rend() && set.x_key.empty(); ++k)
      if (all_numbers(t.distinct(t.col(*k)))) set.x_key = *k;
    if (set.x_key.empty() && !varying.empty()) {
      set.x_key = varying.back();
      set.x_numeric = false;
    }
    // Nothing varies: one point per plot, over the rate it ran at.
    if (set.x_key.empty()) set.x_key = "msg_rate";
  }
  for (const auto& k : varying)
    if (k != set.x_key) set.series_keys.push_back(k);

  const int x_col = t.col(set.x_key);
  // The series of each row, and the x position of each category.
  std::vector<std::string> series_names;
  std::vector<int> series_of;
  std::vector<std::string> categories =
      set.x_numeric ? std::vector<std::string>{} : t.distinct(x_col);
  for (const auto* r : t.rows()) {
    std::string name;
    for (const auto& k : set.series_keys)
      name += (name.empty() ? "" : ", ") + k + "=" + t.cell(*r, t.col(k));
    auto it = std::find(series_names.begin(), series_names.end(), name);
    if (it == series_names.end()) it = series_names.insert(series_names.end(), name);
    series_of.push_back(int(it - series_names.begin()));
  }
  for (const auto& kind : kinds()) {
    SweepPlot plot{kind.name, kind.title, kind.ylabel, kind.log_y, {}};
    for (size_t q = 0; q < kind.quantities.size(); ++q) {
      const int y_col = t.col(kind.quantities[q].column);
      if (y_col < 0) continue;
      // What a client consumed is drawn only where no window gave its
      // receive rate (a consumer-only run): elsewhere it repeats rx_rate.
      const bool received = std::any_of(plot.lines.begin(), plot.lines.end(),
                                        [](const SweepLine& l) { return l.quantity == 2; });
      if (std::string(kind.quantities[q].column) == "consumed_rate" && received) continue;
      for (size_t s = 0; s < series_names.size(); ++s) {
        // x (as printed) -> the values of its rows, in x order.
        std::map<double, std::pair<std::string, std::vector<double>>> at;
        for (size_t i = 0; i < t.rows().size(); ++i) {
          if (series_of[i] != int(s)) continue;
          const auto& row = *t.rows()[i];
          const std::string label = t.cell(row, x_col);
          const double x = set.x_numeric
                               ? number(label)
                               : double(std::find(categories.begin(), categories.end(), label) -
                                        categories.begin());
          const double y = number(t.cell(row, y_col));
          if (std::isnan(x)) continue;
          auto& slot = at[x];
          slot.first = label;
          if (!std::isnan(y) && (!kind.log_y || y > 0)) slot.second.push_back(y);
        }
        SweepLine line;
        line.series = int(s) + 1;
        line.quantity = int(q) + 1;
        const std::string& sname = series_names[s];
        const std::string qname = kind.quantities[q].title;
        line.title = kind.quantities.size() > 1 ? qname + (sname.empty() ? "" : ", " + sname)
                                                : (sname.empty() ? qname : sname);
        for (const auto& [x, slot] : at) {
          const Summary sum = summarize_values(slot.second);
          if (sum.n == 0) continue;
          line.points.push_back({x, sum.mean, sum.stddev, sum.n, slot.first});
          set.errors |= sum.n > 1;
        }
        if (!line.points.empty()) plot.lines.push_back(std::move(line));
      }
    }
    if (!plot.lines.empty()) set.plots.push_back(std::move(plot));
  }
  return set;
}

std::string write_sweep_plot_data(const SweepPlotSet& set, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  for (const auto& plot : set.plots) {
    const fs::path path = fs::path(dir) / (plot.name + ".dat");
    std::ofstream out(path, std::ios::out | std::ios::trunc);
    out.precision(10);
    out << "# " << set.x_key << ", mean, stddev, n, x label; one block per line of the plot\n";
    for (const auto& line : plot.lines) {
      out << "# " << line.title << "\n";
      for (const auto& p : line.points) {
        std::string label = p.label;
        std::replace(label.begin(), label.end(), '"', '\'');
        out << p.x << " " << p.mean << " " << p.stddev << " " << p.n << " \"" << label << "\"\n";
      }
      out << "\n\n";
    }
    out.flush();
    if (!out) return "cannot write " + path.string();
  }
  return "";
}

std::string sweep_plot_settings(const SweepPlotSet& set, const SweepPlot& plot,
                                const std::string& data_file, const std::string& png,
                                const std::string& run_name) {
  std::string s =
      "data=" + gnuplot_quote(data_file) + "; out=" + gnuplot_quote(png) +
      "; n=" + std::to_string(plot.lines.size()) + "; xlabel=" + gnuplot_quote(set.x_key) +
      "; ylabel=" + gnuplot_quote(plot.ylabel) +
      "; title=" + gnuplot_quote(plot.title + " vs " + set.x_key + "  (" + run_name + ")") +
      "; logy=" + (plot.log_y ? "1" : "0") + "; cat=" + (set.x_numeric ? "0" : "1") +
      "; err=" + (set.errors ? "1" : "0");
  int series = 0;
  for (const auto& line : plot.lines) series = std::max(series, line.series);
  s += "; ns=" + std::to_string(series);
  for (size_t i = 0; i < plot.lines.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    s += "; t" + n + "=" + gnuplot_quote(plot.lines[i].title) + "; s" + n + "=" +
         std::to_string(plot.lines[i].series) + "; q" + n + "=" +
         std::to_string(plot.lines[i].quantity);
  }
  return s;
}

bool hydra_plots_fit(const std::vector<std::vector<std::string>>& records) {
  const Table t(records);
  if (is_search(t)) return false;
  // They draw what clients received: a producer-only run has nothing.
  const int clients = t.col("client_count");
  if (std::none_of(t.rows().begin(), t.rows().end(),
                   [&](const auto* r) { return number(t.cell(*r, clients)) > 0; }))
    return false;
  if (t.distinct(t.col("msg_rate")).size() > 1) return true;
  // One rate: fit only when nothing but the client count varies (else every
  // step would be drawn at that one rate).
  return std::all_of(t.sweep_keys().begin(), t.sweep_keys().end(), [&](const std::string& k) {
    return k == "subscribers.clients" || t.distinct(t.col(k)).size() <= 1;
  });
}

}  // namespace hydra
