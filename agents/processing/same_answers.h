// The "same answers" check: do two processing paths (CPU vs GPU, or 1 vs N
// CPU threads) compute the same results? Used by the processing tests and
// available to anyone who changes a kind or a path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agents/processing/processor.h"

namespace hydra {

// What a comparison found. Counts, window keys/starts, min, max and anomaly
// flags must match exactly; window mean and variance within a relative 1e-9;
// mlp scores within 1e-5 absolute (the GPU fuses multiply-adds, and its expf
// differs from glibc's by ulps). Between CPU thread counts everything is
// bit-identical.
struct SameAnswers {
  bool same = true;
  std::string detail;  // first differences, human-readable; empty when same
  uint64_t windows = 0, anomalies = 0, scores = 0;
  double max_score_diff = 0;   // absolute
  double max_moment_diff = 0;  // relative, window mean and variance
};

SameAnswers compare_results(const ProcessingResults& a, const ProcessingResults& b);

// Runs `records` through processors made from a and b, in the same batches
// (a's batch size for both, keep_results on, no linger), and compares their
// results. Throws what make_processor throws (e.g. ProcessingUnavailable).
SameAnswers check_same_answers(const ProcessingConfig& a, const ProcessingConfig& b,
                               const std::vector<SensorRecord>& records);

}  // namespace hydra
