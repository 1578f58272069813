// One results.csv row: the derived figures of one step (one sweep point, one
// repeat). compute_row() is the ONE place where rates, loss percentages,
// failing clients and percentiles are computed from a StepResult (STYLE.md #1);
// every reporter (CSV, console, JSON) prints the same Row and never recomputes.
//
// The figures keep the meaning of the original HYDRA test's columns
// (shared/HYDRA-NOTES.md) except that loss is counted by sequence, so
// duplicates cannot mask it, and latency comes from merged histograms.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/histogram.h"
#include "harness/step_result.h"

namespace hydra {

// How a column's value is printed in results.csv and the step JSON.
enum class ColumnFormat {
  kInteger,  // counts: printed as integers
  kRate,     // msg/s, bytes/s: 1 decimal
  kCount,    // mean counts (average_packets): 3 decimals
  kMs,       // latencies in ms: 3 decimals
  kPercent,  // loss percent: 4 decimals
  kCpu,      // CPU percent of one core: 2 decimals
  kMb,       // MiB: 1 decimal
  kText,     // status, error
};

// X(type, name, format): every results.csv column of DESIGN.md after step and
// repeat, in the contract's order and spelling. Declared once so the struct,
// the CSV header, the cells and the JSON cannot drift apart.
#define HYDRA_ROW_COLUMNS(X)                                                          \
  X(int64_t, client_count, kInteger)       /* N subscriber clients */                 \
  X(double, msg_rate, kRate)               /* target publish rate, msg/s */           \
  X(uint64_t, packet_tx, kInteger)         /* messages sent in the measured window */ \
  X(double, average_tx_rate, kRate)        /* packet_tx / measured_s */               \
  X(double, average_packets, kCount)       /* sum of unique / N */                    \
  X(double, average_rate, kRate)           /* sum of client rates / N */              \
  X(double, average_packet_loss, kPercent) /* mean of lost / expected, percent */     \
  X(int64_t, failing_clients, kInteger)    /* unique < expected, or unanswered */     \
  X(double, failing_clients_rate, kRate)   /* mean rate of the failing clients */     \
  X(uint64_t, lost, kInteger)              /* sums over clients */                    \
  X(uint64_t, duplicates, kInteger)                                                   \
  X(uint64_t, reordered, kInteger)                                                    \
  X(uint64_t, foreign, kInteger)                                                      \
  X(double, lat_p50_ms, kMs) /* end to end, from intended send */                     \
  X(double, lat_p90_ms, kMs)                                                          \
  X(double, lat_p99_ms, kMs)                                                          \
  X(double, lat_p999_ms, kMs)                                                         \
  X(double, lat_max_ms, kMs)                                                          \
  X(double, ack_p50_ms, kMs) /* publisher ack latency, from intended */               \
  X(double, ack_p99_ms, kMs)                                                          \
  X(double, send_delay_p99_ms, kMs) /* publisher schedule slip */                     \
  X(double, pub_cpu, kCpu)          /* percent of one core */                         \
  X(double, pub_net_txrate, kRate)  /* bytes/s to the brokers */                      \
  X(double, pub_net_rxrate, kRate)  /* bytes/s from the brokers */                    \
  X(double, sub_cpu, kCpu)          /* mean over subscriber agents */                 \
  X(double, sub_rss_mb, kMb)        /* max over subscriber agents, MiB */             \
  X(std::string, status, kText)     /* "ok", "failed" or "skipped" */                 \
  X(std::string, error, kText)      /* why, when not ok */

struct Row {
  int step = 0;
  int repeat = 0;
  // (dotted key, printed value) of every sweep axis, in sweep order. Strings
  // are printed bare, other JSON values as JSON.
  std::vector<std::pair<std::string, std::string>> swept;

#define HYDRA_FIELD(type, name, format) type name{};
  HYDRA_ROW_COLUMNS(HYDRA_FIELD)
#undef HYDRA_FIELD

  // Further named columns (processing-stage figures, ...), in order; printed
  // after the contract's columns.
  std::vector<std::pair<std::string, std::string>> extra;

  // The contract's column names, step and repeat excluded, in order.
  static const std::vector<std::string>& column_names();
  // The printed cells of those columns, in the same order (not CSV-escaped).
  std::vector<std::string> cells() const;
  // Everything, numbers as numbers: {"step", "repeat", "swept": {...},
  // <columns>..., "extra": {...}}.
  nlohmann::ordered_json to_json() const;
};

// Derives the row of one step. Never throws for missing data: a failed or
// skipped step gives a row with its status and error, and numbers from
// whatever was collected (clients that did not answer count as failing, with
// no messages and 100 % loss).
Row compute_row(const StepResult& result);

// The end-to-end latency histogram of all answered clients, merged (the one
// the lat_* columns, the step JSON and the .hgrm file come from).
Histogram merged_latency(const StepResult& result);

// A swept value as printed in results.csv: strings bare, the rest as JSON.
std::string format_swept_value(const nlohmann::ordered_json& value);

// Prints a number the way results.csv does for a column of this format.
std::string format_cell(double value, ColumnFormat format);

}  // namespace hydra
