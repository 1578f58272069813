// Small deterministic record streams for the processing tests.
#pragma once

#include <cstdint>
#include <vector>

#include "agents/processing/sensor_record.h"

namespace hydra::testing {

// n records over `keys` keys (round robin), one every step_ns of event time
// from t0_ns. Every late_every-th record (0: none) is stamped late_ns earlier,
// to exercise window-agg's late records.
inline std::vector<SensorRecord> sensor_stream(size_t n, uint32_t keys, int64_t step_ns = 1'000'000,
                                               size_t late_every = 0, int64_t late_ns = 0,
                                               int64_t t0_ns = 1'700'000'000'000'000'000) {
  std::vector<SensorRecord> out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t ts = t0_ns + int64_t(i) * step_ns;
    if (late_every != 0 && i % late_every == late_every - 1) ts -= late_ns;
    make_sensor_record(i, uint32_t(i % keys), ts, &out[i]);
  }
  return out;
}

}  // namespace hydra::testing
