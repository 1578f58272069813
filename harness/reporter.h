// The Reporter interface (docs/engineering.md: measuring never formats output): the run loop
// measures and hands each finished step to a Reporter; it never formats output itself.
// Implementations: ConsoleReporter (live progress, summary table), CsvReporter (results.csv),
// JsonReporter (steps/*.json), HgrmWriter (latency/*.hgrm). The controller
// builds one FanoutReporter over a display reporter and the file reporters.
//
// Call order, from the controller's run loop (one thread):
//   on_run_start, then per step any number of on_progress followed by one
//   on_step_done (after a step's last repeat, its on_aggregate calls), then
//   on_run_end (also after an interrupt or a failure).
#pragma once

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/aggregate.h"
#include "harness/row.h"
#include "harness/step_result.h"

namespace hydra {

// What a run is, known before its first step.
struct RunInfo {
  std::string scenario;                    // the scenario's name
  std::vector<std::string> sweep_keys;     // dotted keys, sweep order (first outermost)
  int total_steps = 0;                     // sweep points (not counting repeats)
  int repeats = 1;                         // runs of each point
  std::string out_dir;                     // where results go
  std::vector<std::string> extra_columns;  // registry columns after the contract's
};

// Live state of the step in progress, sent about once a second.
struct Progress {
  int step = 0;          // sweep index of the running step
  int repeat = 0;        // its repeat index
  int index = 1;         // 1-based position among all step runs of the run
  int total = 1;         // step runs in the run (total_steps x repeats)
  double elapsed_s = 0;  // since the run started
  double eta_s = -1;     // estimated time left in the run; < 0 when unknown
  double tx_rate = 0;    // publisher, msg/s, recent
  double rx_rate = 0;    // per subscriber client, msg/s, recent
  // False when no earlier sample of the same counters exists to take a rate
  // from (the step's first sample: warm clients' counters still hold the
  // previous step's): the console prints "-", not a number.
  bool rx_known = true;
  double loss_pct = 0;  // loss so far in this step, percent
  std::string phase;    // "starting agents", "joining", "warmup", "measure", "drain", ...
  // Live counts of a phase without rates, e.g. "212 of 300 clients ready";
  // empty when the rates above say it.
  std::string detail;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void on_run_start(const RunInfo& info) { (void)info; }
  virtual void on_progress(const Progress& progress) { (void)progress; }
  // Every step gives a row, failed and skipped ones included (errors are data).
  virtual void on_step_done(const Row& row, const StepResult& result) = 0;
  // After a step's last repeat, when the run has repeats > 1: its aggregate
  // rows (aggregate.h), one call per statistic.
  virtual void on_aggregate(const AggregateRow& row) { (void)row; }
  virtual void on_run_end(bool interrupted) { (void)interrupted; }
};

// Forwards every call to each of its reporters, in order. A reporter that
// throws does not keep the others from their call: the exception's message is
// kept in errors() (prefixed with the call) and the fan-out goes on.
class FanoutReporter : public Reporter {
 public:
  FanoutReporter() = default;
  explicit FanoutReporter(std::vector<std::unique_ptr<Reporter>> reporters)
      : reporters_(std::move(reporters)) {}

  void add(std::unique_ptr<Reporter> reporter) { reporters_.push_back(std::move(reporter)); }

  void on_run_start(const RunInfo& info) override {
    each("on_run_start", [&](Reporter& r) { r.on_run_start(info); });
  }
  void on_progress(const Progress& progress) override {
    each("on_progress", [&](Reporter& r) { r.on_progress(progress); });
  }
  void on_step_done(const Row& row, const StepResult& result) override {
    each("on_step_done", [&](Reporter& r) { r.on_step_done(row, result); });
  }
  void on_aggregate(const AggregateRow& row) override {
    each("on_aggregate", [&](Reporter& r) { r.on_aggregate(row); });
  }
  void on_run_end(bool interrupted) override {
    each("on_run_end", [&](Reporter& r) { r.on_run_end(interrupted); });
  }

  // What went wrong in the reporters so far, oldest first.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  template <typename F>
  void each(const char* what, F&& call) {
    for (auto& r : reporters_) {
      try {
        call(*r);
      } catch (const std::exception& e) {
        errors_.push_back(std::string(what) + ": " + e.what());
      }
    }
  }

  std::vector<std::unique_ptr<Reporter>> reporters_;
  std::vector<std::string> errors_;
};

// The file name stem of a step's files: steps/<stem>.json, latency/<stem>.hgrm.
// The step index zero-padded to 3 digits, then the repeat: "003-r0".
inline std::string step_file_stem(int step, int repeat) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%03d-r%d", step, repeat);
  return buf;
}

}  // namespace hydra
