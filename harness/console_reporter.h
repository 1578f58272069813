// The display reporter: live progress and a summary table on the console.
//
// On a terminal (is_tty): a progress line redrawn in place (\r, ESC[K) at most
// once a second (step i/N, phase, elapsed, ETA, tx rate, rx rate per client,
// loss so far), and a fixed-width table row per finished step. Not on a
// terminal (a log file, a pipe): no control characters at all, a progress
// line at most every 5 s, and the same table rows. Quiet: no progress and no
// table, only failed steps and the final line.
//
// Under each table row, two kafka-producer-perf-test style lines (produce:
// ack latency; end-to-end: the clients' merged latency) with msg/s, MB/s,
// mean, p50, p95, p99, p99.9 and max (perf_summary.h); with latency_block
// (`hydra run --latency`) a wrk2-style percentile block of each too. At the
// end of the run the same two lines over every measured step together.
//
// Progress: a new step or phase shows at once, on a terminal and in a log
// (so every phase is announced: starting agents, configuring, joining,
// warmup, measure, drain, collecting); within a phase a terminal redraws at
// most once a second, a log gets a line at most every 5 s. Phases without
// traffic show their live counts (Progress::detail, "212 of 300 clients
// ready") instead of rates.
//
// Everything goes to the ostream given, so tests capture it; the controller
// passes std::cout and isatty(STDOUT_FILENO).
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "harness/perf_summary.h"
#include "harness/reporter.h"

namespace hydra {

class ConsoleReporter : public Reporter {
 public:
  ConsoleReporter(std::ostream& out, bool is_tty, bool quiet, bool latency_block = false);

  void on_run_start(const RunInfo& info) override;
  void on_progress(const Progress& progress) override;
  void on_step_done(const Row& row, const StepResult& result) override;
  void on_run_end(bool interrupted) override;

  // What the run does outside a step ("plotting (3 s)"): on a terminal one
  // line redrawn in place, call it about once a second; in a log one line a
  // call, so call it once per phase. Nothing when quiet.
  void status(const std::string& text);
  // Ends a status line on a terminal.
  void end_status();
  // A line that must be read (a client error summary): printed even when
  // quiet, after clearing any progress line.
  void note(const std::string& text);

 private:
  void clear_progress();
  void print_table_header();
  std::string progress_line(const Progress& p) const;
  void print_summary(const PerfSummary& s, const std::string& indent);

  // The run's totals over its measured steps, for the end-of-run summary.
  struct Total {
    PerfSide side;
    double seconds = 0;  // measured windows, summed
    double mb = 0;       // MB, summed (where measured)
    bool mb_known = false;
    void add(const PerfSide& s, double measured_s);
    PerfSide finish() const;
  };

  std::ostream& out_;
  bool tty_;
  bool quiet_;
  bool latency_block_;
  Total produce_total_;
  Total e2e_total_;
  RunInfo info_;
  bool table_header_done_ = false;
  bool progress_shown_ = false;     // a tty progress line is on screen
  double last_progress_s_ = -1e18;  // elapsed_s of the last progress drawn
  int last_progress_index_ = -1;
  std::string last_phase_;
  int steps_done_ = 0;
  int steps_failed_ = 0;
  int steps_skipped_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace hydra
