// The kafka-producer-perf-test style summary of one step: for the produce
// side (delivery reports) and the end-to-end side (the subscriber clients)
// how many records, how fast (msg/s, MB/s) and the latency distribution.
//
// The ONE place these figures are derived from a StepResult: the registry's
// summary columns (columns.cc: tx_mb_s, rx_mb_s, lat_mean_ms, ack_mean_ms)
// and the console's summary lines (console_reporter.cc) both read them, so
// they cannot disagree. A figure that was not measured is absent (nullopt),
// never 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/histogram.h"
#include "harness/step_result.h"

namespace hydra {

// Bytes in the MB of "MB/s": 2^20, as kafka-producer-perf-test counts it.
inline constexpr double kBytesPerMB = 1024.0 * 1024.0;

struct PerfSide {
  bool measured = false;  // false: the side did not report (no figures)
  uint64_t records = 0;   // produce: the window's messages; e2e: distinct received, all clients
  std::optional<double> msg_s;  // records / measured window
  std::optional<double> mb_s;   // value bytes / measured window, MB (2^20 bytes) per second
  Histogram latency;            // ns; produce: ack latency, e2e: the clients' merged
  // Latency figures in ms; nullopt when the histogram is empty.
  std::optional<double> mean_ms() const;
  std::optional<double> percentile_ms(double p) const;
};

struct PerfSummary {
  PerfSide produce;  // publisher: delivery report - intended send
  PerfSide e2e;      // clients: receive - intended send
};

PerfSummary perf_summary(const StepResult& result);

// One kafka-producer-perf-test style line:
// "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency,
//  B ms 50th, C ms 95th, D ms 99th, E ms 99.9th." with "-" for what was not
// measured. `verb` is "sent" or "received".
std::string perf_line(const PerfSide& side, const std::string& verb);

// A wrk2-style percentile block ("Latency Distribution"): one line per
// percentile (50, 75, 90, 99, 99.9, 99.99, 99.999, 100), each line
// "<indent> 99.900%   12.34ms". Empty histogram: one line saying so.
std::string percentile_block(const Histogram& latency_ns, const std::string& indent);

// A wall time (ns since the epoch) as ISO 8601 UTC with milliseconds
// ("2026-12-02T15:22:46.123Z"); "" for 0 (not recorded).
std::string iso8601_utc(int64_t wall_ns);

}  // namespace hydra
