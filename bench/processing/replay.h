// Measures one benchmark point: replays in-memory sensor records through a
// processor as fast as it takes them (saturation), for a bounded time, and
// returns what it measured. Formats nothing (bench_report.h does).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agents/processing/processor.h"

namespace hydra::bench {

struct BenchPoint {
  std::string kind;
  std::string device;  // "cpu" or "gpu"
  int threads = 1;     // cpu worker threads (1 for gpu)
  int batch = 0;
  uint64_t records = 0;  // processed in the measured period
  double seconds = 0;    // measured period, drain included
  double records_per_s = 0;
  double p50_added_ms = 0;  // result ready - receive
  double p99_added_ms = 0;
  double cpu_ns_per_record = 0;  // processing CPU time (all threads) per record
  std::string device_name;
};

// A pool of records replayed in a loop (event time keeps increasing across
// passes, so windows keep closing): `keys` keys round robin, one record per
// microsecond of event time.
class RecordPool {
 public:
  RecordPool(size_t size, uint32_t keys);
  size_t size() const { return recs_.size(); }
  // The i-th record of the endless replay.
  SensorRecord at(uint64_t i) const {
    SensorRecord r = recs_[i % recs_.size()];
    r.timestamp_ns += int64_t(i / recs_.size()) * span_ns_;
    return r;
  }

 private:
  std::vector<SensorRecord> recs_;
  int64_t span_ns_;
};

struct ReplayOptions {
  double seconds = 0.5;     // measured time per point (at least min_batches batches)
  int min_batches = 3;      // so that huge batches still give a latency figure
  double max_seconds = 30;  // hard bound per point
};

// Runs cfg's processor over the pool: a warm-up of 2 batches (not counted),
// then the measured period, then drain().
BenchPoint replay(const ProcessingConfig& cfg, const RecordPool& pool, const ReplayOptions& opt);

}  // namespace hydra::bench
