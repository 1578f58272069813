// The per-record arithmetic of the stateful kinds and the MLP's weights,
// shared by the CPU path (cpu_engine.cc) and the GPU path (gpu_processor.cu)
// so that both compute the same thing in the same order (the same-answers
// check relies on it). Internal to hydra_processing; compiled by g++ (C++20)
// and nvcc (C++17).
#pragma once

#include <cmath>
#include <cstdint>

#include "agents/processing/processor.h"
#include "agents/processing/sensor_record.h"

#if defined(__CUDACC__)
#define HYDRA_HD __host__ __device__ __forceinline__
#else
#define HYDRA_HD inline
#endif

namespace hydra::proc {

inline constexpr int kC = kSensorChannels;

enum class Kind { kNone, kWindowAgg, kZScore, kMlp };
Kind parse_kind(const std::string& kind);  // of a validated config

// ---- zscore ----------------------------------------------------------------

inline constexpr double kZThreshold = 3.0;
inline constexpr uint64_t kZWarmup = 30;  // records per key before anything is flagged

// All-zero is the initial state (the CPU path allocates it with calloc).
struct ZScoreState {
  uint64_t n;
  double mean[kC];
  double m2[kC];  // sum of squared deviations (Welford)
};

// Judges x against the key's statistics so far (sample variance), then folds
// it in. True when |x - mean| > 3 sd on any channel.
HYDRA_HD bool zscore_update(ZScoreState& s, const float* x) {
  int flag = 0;
  if (s.n >= kZWarmup) {
    const double inv = 1.0 / double(s.n - 1);
    for (int c = 0; c < kC; ++c) {
      const double d = double(x[c]) - s.mean[c];
      // |d| / sd > 3  <=>  d^2 > 9 var (var 0: any deviation is infinite z).
      flag |= d * d > kZThreshold * kZThreshold * (s.m2[c] * inv);
    }
  }
  s.n += 1;
  const double inv_n = 1.0 / double(s.n);
  for (int c = 0; c < kC; ++c) {
    const double d = double(x[c]) - s.mean[c];
    s.mean[c] += d * inv_n;
    s.m2[c] += d * (double(x[c]) - s.mean[c]);
  }
  return flag != 0;
}

// ---- window-agg ------------------------------------------------------------

// All-zero is the initial state: count 0 means no open window.
struct WindowState {
  int64_t window;  // open window index: floor(timestamp / window_ns)
  uint32_t count;
  uint32_t pad;
  double mean[kC];
  double m2[kC];
  float min[kC];
  float max[kC];
};

enum : int { kWindowAdded = 0, kWindowClosed = 1, kWindowLate = 2 };

HYDRA_HD int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

HYDRA_HD void window_summarize(const WindowState& s, uint32_t slot, int64_t window_ns,
                               WindowSummary* out) {
  out->key = slot;
  out->count = s.count;
  out->window_start_ns = s.window * window_ns;
  const double inv = 1.0 / double(s.count);
  for (int c = 0; c < kC; ++c) {
    out->mean[c] = s.mean[c];
    out->var[c] = s.m2[c] * inv;
    out->min[c] = s.min[c];
    out->max[c] = s.max[c];
  }
}

// Adds r to its key's window. When r opens a later window, the open one is
// written to *closed first (kWindowClosed). Records of an earlier window than
// the open one are dropped (kWindowLate).
HYDRA_HD int window_update(WindowState& s, const SensorRecord& r, int64_t window_ns, uint32_t slot,
                           WindowSummary* closed) {
  const int64_t w = floor_div(r.timestamp_ns, window_ns);
  int result = kWindowAdded;
  if (s.count > 0) {
    if (w < s.window) return kWindowLate;
    if (w > s.window) {
      window_summarize(s, slot, window_ns, closed);
      s.count = 0;
      result = kWindowClosed;
    }
  }
  if (s.count == 0) {
    s.window = w;
    for (int c = 0; c < kC; ++c) {
      s.mean[c] = 0;
      s.m2[c] = 0;
      s.min[c] = r.channels[c];
      s.max[c] = r.channels[c];
    }
  }
  s.count += 1;
  const double inv_n = 1.0 / double(s.count);
  for (int c = 0; c < kC; ++c) {
    const float x = r.channels[c];
    const double d = double(x) - s.mean[c];
    s.mean[c] += d * inv_n;
    s.m2[c] += d * (double(x) - s.mean[c]);
    s.min[c] = x < s.min[c] ? x : s.min[c];
    s.max[c] = x > s.max[c] ? x : s.max[c];
  }
  return result;
}

// ---- mlp -------------------------------------------------------------------

inline constexpr int kH = 64;  // hidden width
inline constexpr uint64_t kMlpSeed = 0x4879647261ULL;

// A fixed-weight 12 -> 64 -> 64 -> 1 network. Both paths compute, per output
// unit, acc = bias; acc += w[k][i] * x[i] for i ascending; ReLU; and the
// output as b3 + sum over k ascending of w3[k] * h2[k]; sigmoid.
struct MlpWeights {
  float w1[kH][kC];
  float b1[kH];
  float w2[kH][kH];
  float b2[kH];
  float w3[kH];
  float b3;
};

// Uniform(-sqrt(6 / fan_in), +sqrt(6 / fan_in)) weights (He-uniform) from a
// splitmix64 stream; small biases. Deterministic for a seed.
MlpWeights make_mlp_weights(uint64_t seed = kMlpSeed);

}  // namespace hydra::proc
