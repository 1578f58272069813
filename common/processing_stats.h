// ProcessingStats: what a subscriber's processing stage measured (counters and
// latency histograms). A wire contract: the agents send it in their stats
// replies (agents/processing fills it), the controller merges the clients'
// blocks for the proc_* results.csv columns (harness/columns.cc). It lives in
// common/ because both sides read it and the controller has no business
// including agent code.
#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "common/histogram.h"

namespace hydra {

// X(name): every counter of a processing stage. Summed on merge.
#define HYDRA_PROCESSING_COUNTERS(X)                                                  \
  X(records)      /* records processed (buffered ones count once their batch is) */   \
  X(batches)      /* batches processed */                                             \
  X(results)      /* windows emitted, records scored (zscore, mlp) */                 \
  X(anomalies)    /* zscore: records flagged */                                       \
  X(late)         /* window-agg: records older than their key's window: dropped */    \
  X(flush_full)   /* batches flushed because full */                                  \
  X(flush_linger) /* batches flushed because their oldest record was linger_ms old */ \
  X(flush_drain)  /* batches flushed by drain() */                                    \
  X(cpu_ns)       /* CPU time processing batches (compute, or GPU launch + harvest) */

// X(name): every histogram of a processing stage. Merged.
#define HYDRA_PROCESSING_HISTOGRAMS(X)                                    \
  X(added_latency) /* result ready - receive, ns: what processing adds */ \
  X(e2e_latency)   /* result ready - intended send, ns */                 \
  X(batch_fill)    /* records per processed batch */

// What a processing stage measured; a value struct that merges with +=, so
// clients' and agents' stats add up without knowing where they came from.
struct ProcessingStats {
#define HYDRA_FIELD(n) uint64_t n = 0;
  HYDRA_PROCESSING_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
#define HYDRA_FIELD(n) Histogram n;
  HYDRA_PROCESSING_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD

  ProcessingStats& operator+=(const ProcessingStats& o);
  nlohmann::json to_json() const;
  // Throws std::invalid_argument on malformed input.
  static ProcessingStats from_json(const nlohmann::json& j);
};

}  // namespace hydra
