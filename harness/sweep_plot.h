// The generic sweep plots: whatever a scenario sweeps, `hydra plot` (and
// `hydra run` at its end) draws its results without a hand-written script.
// From results.csv alone:
//   x       the innermost swept key whose values are all numbers and differ
//           (a `publisher.kafka.batch.size` sweep at rate 0 is drawn over
//           the batch sizes, not as one point at rate 0); when no swept key
//           is numeric, the innermost one that varies, as categories; in a
//           rate search (modes find-*), the probes' target rate (msg_rate).
//   lines   one per combination of the other swept keys that vary.
//   y       one plot each: throughput (msg/s sent, received per client, or
//           consumed per client where there is no window),
//           throughput in MB/s, loss (%), end-to-end latency p50/p99/p99.9
//           and publisher ack latency p50/p99 (log axes).
// Repeats of a point are drawn as their mean with a ±1 standard deviation
// error bar (the statistics of aggregate.h, over the measured rows; the
// aggregate rows themselves are not read again). A quantity no row measured
// (receive rate in a producer-only run) is left out, and a plot with nothing
// to draw is not written.
//
// prepare_sweep_plots() does the choosing and writes one data file per plot
// (blocks of x, mean, stddev, x label); tools/plot/sweep.gp draws one
// (render_plots in plot.cc runs it).
#pragma once

#include <string>
#include <vector>

namespace hydra {

// One line of one plot: a series (combination of the other swept keys) and
// a quantity (e.g. p99).
struct SweepLine {
  std::string title;  // "p99, publisher.acks=all"
  int series = 1;     // 1-based: which combination (the line's point type)
  int quantity = 1;   // 1-based: which quantity (the line's dash pattern)
  struct Point {
    double x = 0;
    double mean = 0;
    double stddev = 0;  // 0 with a single value
    int n = 0;
    std::string label;  // the x value as results.csv prints it
  };
  std::vector<Point> points;  // by x
};

struct SweepPlot {
  std::string name;    // "sweep_throughput": plots/<name>.png
  std::string title;   // "Throughput"
  std::string ylabel;  // "msg/s"
  bool log_y = false;
  std::vector<SweepLine> lines;
};

struct SweepPlotSet {
  std::string x_key;                     // the column drawn on x
  bool x_numeric = true;                 // false: categories, in order of appearance
  std::vector<std::string> series_keys;  // the swept keys that make lines
  bool errors = false;                   // some point has more than one value
  std::vector<SweepPlot> plots;          // only those with something to draw
};

// Chooses x, the series and the plots from results.csv's records (header
// first), as the comment above says.
SweepPlotSet sweep_plots(const std::vector<std::vector<std::string>>& records);

// The plots' names (sweep_throughput, sweep_mb, sweep_loss, sweep_latency,
// sweep_ack): which of them a run gets depends on what it measured.
const std::vector<std::string>& sweep_plot_kinds();

// Writes `dir`/<plot>.dat for each plot (gnuplot index blocks, one per line,
// in `lines` order). "" on success, else why.
std::string write_sweep_plot_data(const SweepPlotSet& set, const std::string& dir);

// The gnuplot -e settings sweep.gp needs for one plot: data file, output,
// titles, axis labels, styles.
std::string sweep_plot_settings(const SweepPlotSet& set, const SweepPlot& plot,
                                const std::string& data_file, const std::string& png,
                                const std::string& run_name);

// Whether the HYDRA plots (rx_rate.gp, ... : x = msg_rate, one line per
// client count) fit this run: it is not a rate search, some step had
// clients, and its rate varies or nothing but the client count does.
bool hydra_plots_fit(const std::vector<std::vector<std::string>>& records);

}  // namespace hydra
