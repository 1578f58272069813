// The CPU path's batch computation: per-key state, the kinds' loops, and the
// split of a batch over a thread pool. CpuProcessor (buffering, linger, stats)
// owns one; the same-answers check compares it with the GPU path.
//
// Threading: with T > 1 threads a batch is processed in two fork-join phases.
// Phase 1: part t buckets the record indices of its contiguous chunk by owner
// worker (owner = a hash of the key slot, so every key's state belongs to one
// worker and keys spread evenly whatever their range). Phase 2: worker u
// processes its buckets chunk by chunk, so each key still sees its records in
// submission order and the results equal the single-threaded ones exactly.
// The stateless mlp kind just splits the batch into T contiguous chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "agents/processing/kinds.h"
#include "agents/processing/thread_pool.h"

namespace hydra::proc {

// What one batch produced. Reused across batches (capacity is kept).
struct BatchOutput {
  std::vector<uint8_t> flags;          // zscore: 1 per flagged record
  std::vector<float> scores;           // mlp: per record
  std::vector<WindowSummary> windows;  // window-agg: windows closed by this batch
  uint64_t results = 0;
  uint64_t anomalies = 0;
  uint64_t late = 0;
};

class CpuEngine {
 public:
  // threads >= 1; window_ms >= 1; key_slots a power of two.
  CpuEngine(Kind kind, int threads, int window_ms, int key_slots);
  ~CpuEngine();
  CpuEngine(const CpuEngine&) = delete;
  CpuEngine& operator=(const CpuEngine&) = delete;

  // Processes recs[0..n) in order, updating per-key state; fills *out.
  void run(const SensorRecord* recs, size_t n, BatchOutput* out);
  int threads() const { return pool_.size(); }
  uint64_t take_worker_cpu_ns() { return pool_.take_worker_cpu_ns(); }

 private:
  struct alignas(64) Worker {
    std::vector<std::vector<uint32_t>> buckets;  // [owner]: indices from this worker's chunk
    std::vector<WindowSummary> windows;
    uint64_t late = 0;
    uint64_t anomalies = 0;
  };
  int owner(uint32_t slot) const {
    return int((uint64_t(slot * 0x9e3779b1u) * uint64_t(pool_.size())) >> 32);
  }
  void run_stateful(const SensorRecord* recs, size_t n, BatchOutput* out);

  const Kind kind_;
  const int64_t window_ns_;
  const uint32_t slot_mask_;
  ThreadPool pool_;
  // Per-key state, calloc'd: all-zero is the initial state, and pages no key
  // touches are never committed (memory follows the keys actually seen).
  ZScoreState* zscore_ = nullptr;
  WindowState* window_ = nullptr;
  std::unique_ptr<MlpWeights> mlp_;
  std::vector<Worker> workers_;
};

}  // namespace hydra::proc
