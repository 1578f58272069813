#include "bench/processing/replay.h"

#include <algorithm>

#include "common/clock.h"

namespace hydra::bench {

RecordPool::RecordPool(size_t size, uint32_t keys) : recs_(size), span_ns_(int64_t(size) * 1000) {
  const int64_t t0 = 1'700'000'000'000'000'000;
  for (size_t i = 0; i < size; ++i)
    make_sensor_record(i, uint32_t(i % keys), t0 + int64_t(i) * 1000, &recs_[i]);
}

BenchPoint replay(const ProcessingConfig& cfg, const RecordPool& pool, const ReplayOptions& opt) {
  // The receive time is read once per chunk of records, as a client reading
  // a fetched batch of messages would; polling at the same pace.
  constexpr int kChunk = 64;
  auto p = make_processor(cfg);
  uint64_t next = 0;

  auto feed = [&](uint64_t count) {
    for (uint64_t done = 0; done < count; done += kChunk) {
      const int64_t now = wall_ns();
      for (int k = 0; k < kChunk; ++k) p->submit(pool.at(next++), now, now);
      p->poll(now);
    }
  };

  feed(2 * uint64_t(cfg.batch));  // warm-up: caches, page faults, GPU ring, JIT
  p->drain(60000);
  p->take_stats(true);

  const int64_t t0 = mono_ns();
  const int64_t min_ns = int64_t(opt.seconds * 1e9), max_ns = int64_t(opt.max_seconds * 1e9);
  for (;;) {
    feed(kChunk * 16);
    const int64_t elapsed = mono_ns() - t0;
    if (elapsed >= max_ns) break;
    if (elapsed >= min_ns && p->take_stats(false).batches >= uint64_t(opt.min_batches)) break;
  }
  p->drain(60000);
  const double seconds = double(mono_ns() - t0) / 1e9;
  const ProcessingStats s = p->take_stats(false);

  BenchPoint b;
  b.kind = cfg.kind;
  b.device = cfg.device;
  b.threads = cfg.device == "gpu" ? 1 : cfg.threads;
  b.batch = cfg.batch;
  b.records = s.records;
  b.seconds = seconds;
  b.records_per_s = double(s.records) / seconds;
  b.p50_added_ms = double(s.added_latency.percentile(50)) / 1e6;
  b.p99_added_ms = double(s.added_latency.percentile(99)) / 1e6;
  b.cpu_ns_per_record = s.records > 0 ? double(s.cpu_ns) / double(s.records) : 0;
  b.device_name = p->device_name();
  return b;
}

}  // namespace hydra::bench
