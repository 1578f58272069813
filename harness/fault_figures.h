// What a step's faults did to its figures, from the agents' per-second
// counts (common/second_series.h) and the fault timeline's record
// (fault_timeline.h): the merged per-second series, loss, duplicates and p99
// latency inside and outside the fault windows, and the recovery time. The
// columns (columns.cc: faults, recovery_s, fault_*, clean_*) and the step
// JSON's "timeline" (json_reporter.cc, drawn by tools/plot/timeline.gp) come
// from here.
//
// Attribution is by second of intended send time: a second that overlaps a
// fault's window (from its start to its end, or for_s from its start for one
// that happens at once, or the second it fires in) is "in the fault".
// Recovery: from the end of the last fault until the first whole second of
// the window whose receive rate (all clients, by receive time) is within 10 %
// of the target (the publisher's rate times the clients that each read the
// whole stream).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/second_series.h"
#include "harness/step_result.h"

namespace hydra {

struct SecondFigures {
  int t = 0;                                 // seconds since the window opened
  uint64_t sent = 0, acked = 0, failed = 0;  // the publisher's, by intended send time
  uint64_t unique = 0, lost = 0, dups = 0;   // all clients, by intended send time
  uint64_t received = 0;                     // all clients, by receive time
  CoarseHistogram latency;                   // all clients, by intended send time
  bool in_window = true;                     // a whole second of the measured window
  bool in_fault = false;
};

struct FaultSide {
  uint64_t lost = 0, dups = 0;
  CoarseHistogram latency;
  int seconds = 0;
  std::optional<double> p99_ms() const;
};

// One fault's own recovery: from its end, as for the step's.
struct FaultRecovery {
  std::string description;
  double end_s = 0;
  std::optional<double> recovery_s;
  std::string recovery;
};

struct FaultFigures {
  std::vector<SecondFigures> seconds;
  FaultSide in_fault, clean;
  bool has_faults = false;       // the step has a fault record
  std::optional<double> target;  // msg/s, all clients together
  std::optional<double> fault_end_s;
  std::optional<double> recovery_s;
  std::string recovery;  // "recovered", "not recovered in the window", or why there is no figure
  std::vector<FaultRecovery> per_fault;  // each applied fault's, in the list's order
};

// The receive rate counts as recovered within this fraction of the target.
inline constexpr double kRecoveryBand = 0.10;

// Null when the step kept no per-second series (it never measured).
std::optional<FaultFigures> fault_figures(const StepResult& result);

// The recovery time for a series of per-second receive rates (index = second
// of the window, only whole seconds), a target rate and when the faults
// ended; sets `recovery` to say why when there is no figure.
std::optional<double> recovery_time(const std::vector<double>& rx_per_second, double target,
                                    double fault_end_s, std::string* recovery);

// The step JSON's "timeline" block; null when fault_figures() is.
nlohmann::json timeline_json(const StepResult& result);

// The faults column: the applied faults' descriptions, space-separated.
std::string faults_cell(const StepResult& result);

}  // namespace hydra
