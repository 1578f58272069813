// The subscriber comparison: one Hydra subscriber client against a minimal
// rd_kafka_consumer_poll() loop, each reading the same backlog of Hydra
// messages from its start, alone, with the same consumer properties
// (KafkaConsumer::default_props). Both are timed from their first message to
// their last.
//
// Hydra's consumer positions a new per-client group at the end of the log, so
// both sides join a shared-mode group whose committed offsets were set to the
// log start beforehand: KafkaConsumer resumes a shared group where it was,
// and a plain librdkafka consumer does the same.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/macro/macro_options.h"
#include "bench/macro/macro_report.h"

namespace hydra::bench {

// What the topic holds once filled: [start, end) offsets per partition.
struct Backlog {
  std::string topic;
  std::vector<int64_t> start;
  std::vector<int64_t> end;
  uint64_t messages() const;
};

// Fills `topic` (o.sub_partitions partitions) with Hydra's publisher, so
// every message carries the Hydra header, for long enough that each
// partition holds what the mock broker keeps; then reads the watermarks.
// Throws std::runtime_error when the topic cannot be filled or measured.
Backlog fill_backlog(const MacroOptions& o, const std::string& bootstrap, const std::string& topic);

// One round: both consumers join fresh groups at once (the mock broker takes
// ~3 s to form a new group); Hydra's client then reads the whole backlog
// while the raw consumer holds at its assignment, and the raw one reads it
// after Hydra's has stopped. Returns {hydra, raw}.
// Both sides use KafkaConsumer::default_props plus bench_consumer_overrides(o).
std::vector<Measurement> run_subscriber_round(const MacroOptions& o, const std::string& bootstrap,
                                              const Backlog& backlog, int round);

}  // namespace hydra::bench
