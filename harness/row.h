// One results.csv row: the derived figures of one step (one sweep point, one
// repeat). compute_row() is the ONE place where rates, loss percentages,
// failing clients and percentiles are computed from a StepResult, and where
// the registry's step columns (columns.h) are evaluated; every reporter (CSV,
// console, JSON) prints the same Row through the registry and never
// recomputes, so the three cannot disagree.
//
// The figures keep the meaning of the original HYDRA test's columns
// (docs/contracts.md) except that loss is counted by sequence, so duplicates
// cannot mask it, and latency comes from merged histograms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/histogram.h"
#include "harness/columns.h"
#include "harness/step_result.h"

namespace hydra {

struct Row {
  int step = 0;
  int repeat = 0;
  // (dotted key, printed value) of every sweep axis, in sweep order. Strings
  // are printed bare, other JSON values as JSON.
  std::vector<std::pair<std::string, std::string>> swept;

  // The contract's figures (docs/contracts.md), derived together in one pass
  // over the clients; the registry's contract columns (columns.cc) read them.
  // A figure that was not measured (no window, no client answered, an empty
  // histogram, no CPU span) has no value: an empty cell, null in JSON, never 0.
  int64_t client_count = 0;                    // N subscriber clients
  double msg_rate = 0;                         // target publish rate, msg/s
  std::optional<uint64_t> packet_tx;           // messages sent in the measured window
  std::optional<double> average_tx_rate;       // packet_tx / measured_s
  std::optional<double> average_packets;       // sum of unique / N
  std::optional<double> average_rate;          // sum of client rates / N
  std::optional<double> average_packet_loss;   // mean of lost / expected, percent
  std::optional<int64_t> failing_clients;      // unique < expected, or unanswered
  std::optional<double> failing_clients_rate;  // mean rate of the failing clients
  std::optional<uint64_t> lost;                // sums over clients
  std::optional<uint64_t> duplicates;
  std::optional<uint64_t> reordered;
  std::optional<uint64_t> foreign;
  std::optional<double> lat_p50_ms;  // end to end, from intended send
  std::optional<double> lat_p90_ms;
  std::optional<double> lat_p99_ms;
  std::optional<double> lat_p999_ms;
  std::optional<double> lat_max_ms;
  std::optional<double> ack_p50_ms;  // publisher ack latency, from intended
  std::optional<double> ack_p99_ms;
  std::optional<double> send_delay_p99_ms;  // publisher schedule slip
  std::optional<double> pub_cpu;            // percent of one core
  std::optional<double> pub_net_txrate;     // bytes/s to the brokers
  std::optional<double> pub_net_rxrate;     // bytes/s from the brokers
  std::optional<double> sub_cpu;            // mean over subscriber agents
  std::optional<double> sub_rss_mb;         // max over subscriber agents, MiB
  std::string status;                       // "ok", "failed", "skipped" or "interrupted"
  std::string error;                        // why, when not ok

  // The values of the registry's other columns (run, processing) computed
  // for this step, in registry order. A column not listed is empty.
  std::vector<std::pair<const Column*, Value>> step_values;

  // A column's value: the contract's from the figures above, the others from
  // step_values (empty when not computed).
  Value value(const Column& column) const;
  // By name; throws std::invalid_argument naming an unknown column.
  Value value(std::string_view name) const;
  // Sets a step column's value (tests, hand-made rows); throws
  // std::invalid_argument for an unknown or contract column.
  void set(std::string_view name, Value v);
  // The printed cell (format_value with the column's format).
  std::string cell(const Column& column) const;

  // The contract's column names, step and repeat excluded, in order.
  static const std::vector<std::string>& column_names();
  // The printed cells of those columns, in the same order (not CSV-escaped).
  std::vector<std::string> cells() const;
  // Everything, numbers as numbers: {"step", "repeat", "swept": {...},
  // <contract columns>..., "extra": {<computed step columns>...}}; empty
  // values are null.
  nlohmann::ordered_json to_json() const;
};

// What compute_row needs besides the StepResult to compute the step columns.
struct StepContext {
  const StepTimings* timings = nullptr;  // null: the step never ran; timing columns empty
  const Scenario* scenario = nullptr;    // the step's scenario
  bool processing = false;               // the run prints the processing columns
};

// Derives the row of one step. Never throws for missing data: a failed,
// skipped or interrupted step gives a row with its status and error, and the
// figures of whatever was collected; the rest are empty. With a measured
// window, clients that did not answer count as failing, with no messages and
// 100 % loss; without one, no client figure is claimed. Then computes every registry step column
// the context allows (run columns always, processing ones when ctx.processing).
Row compute_row(const StepResult& result, const StepContext& ctx = {});

// The end-to-end latency histogram of all answered clients, merged (the one
// the lat_* columns, the step JSON and the .hgrm file come from).
Histogram merged_latency(const StepResult& result);

// A swept value as printed in results.csv: strings bare, the rest as JSON.
std::string format_swept_value(const nlohmann::ordered_json& value);

}  // namespace hydra
