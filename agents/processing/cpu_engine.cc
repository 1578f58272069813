#include "agents/processing/cpu_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>

// On x86-64 each hot loop also has an AVX2 variant, chosen at run time (the
// baseline build targets plain x86-64). Not target_clones: its ifunc
// resolvers run before a sanitizer runtime starts, and crash it. Contraction
// into FMA is off for this library (CMake), so both variants compute exactly
// the same results.
#if defined(__GNUC__) && defined(__x86_64__)
#define HYDRA_AVX2_DISPATCH 1
#define HYDRA_AVX2 __attribute__((target("avx2")))
#endif
#define HYDRA_ALWAYS_INLINE __attribute__((always_inline)) inline

namespace hydra::proc {
namespace {

template <typename T>
T* zeroed(size_t n) {
  void* p = std::calloc(n, sizeof(T));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<T*>(p);
}

// The MLP, blocked for SIMD: each step scores 2 vectors' worth of records
// (SIMD lanes = records) against 4 output units at once (8 independent
// accumulators), so every weight is loaded once per block and broadcast. Per
// record and unit the summation order is the one kinds.h documents, the same
// as the GPU kernel's, so the SSE and AVX2 variants give identical bits.
typedef float VecF4 __attribute__((vector_size(16)));
typedef float VecF8 __attribute__((vector_size(32)));

#ifdef HYDRA_AVX2_DISPATCH
bool have_avx2() {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return avx2;
}
#endif

template <typename VecF>
HYDRA_ALWAYS_INLINE void mlp_rows_impl(const MlpWeights& w, const SensorRecord* recs, size_t n,
                                       float* out) {
  constexpr int kLanes = int(sizeof(VecF) / sizeof(float)), kV = 2, kRows = kLanes * kV;
  constexpr int kUnits = 4;  // output units per step
  VecF x[kC][kV];
  VecF h1[kH][kV];
  for (size_t base = 0; base < n; base += kRows) {
    const int m = int(std::min<size_t>(kRows, n - base));
    for (int c = 0; c < kC; ++c)
      for (int v = 0; v < kV; ++v)
        for (int l = 0; l < kLanes; ++l) {
          const int r = v * kLanes + l;
          x[c][v][l] = r < m ? recs[base + size_t(r)].channels[c] : 0.0f;
        }
    for (int k = 0; k < kH; k += kUnits) {
      VecF acc[kUnits][kV];
      for (int q = 0; q < kUnits; ++q)
        for (int v = 0; v < kV; ++v) acc[q][v] = VecF{} + w.b1[k + q];
      for (int i = 0; i < kC; ++i)
        for (int q = 0; q < kUnits; ++q) {
          const float wk = w.w1[k + q][i];
          for (int v = 0; v < kV; ++v) acc[q][v] += wk * x[i][v];
        }
      for (int q = 0; q < kUnits; ++q)
        for (int v = 0; v < kV; ++v) h1[k + q][v] = acc[q][v] > 0.0f ? acc[q][v] : 0.0f;
    }
    VecF o[kV];
    for (int v = 0; v < kV; ++v) o[v] = VecF{} + w.b3;
    for (int k = 0; k < kH; k += kUnits) {
      VecF acc[kUnits][kV];
      for (int q = 0; q < kUnits; ++q)
        for (int v = 0; v < kV; ++v) acc[q][v] = VecF{} + w.b2[k + q];
      for (int j = 0; j < kH; ++j)
        for (int q = 0; q < kUnits; ++q) {
          const float wk = w.w2[k + q][j];
          for (int v = 0; v < kV; ++v) acc[q][v] += wk * h1[j][v];
        }
      for (int q = 0; q < kUnits; ++q)
        for (int v = 0; v < kV; ++v) o[v] += w.w3[k + q] * (acc[q][v] > 0.0f ? acc[q][v] : 0.0f);
    }
    for (int r = 0; r < m; ++r)
      out[base + size_t(r)] = 1.0f / (1.0f + std::exp(-o[r / kLanes][r % kLanes]));
  }
}

// zscore over recs[idx[j]] for j in [0, n) (idx null: recs[0..n)); returns
// the number of anomalies, flags[record index] = 1 for each.
HYDRA_ALWAYS_INLINE uint64_t zscore_impl(ZScoreState* states, uint32_t mask,
                                         const SensorRecord* recs, const uint32_t* idx, size_t n,
                                         uint8_t* flags) {
  uint64_t anomalies = 0;
  for (size_t j = 0; j < n; ++j) {
    const size_t i = idx == nullptr ? j : idx[j];
    const bool f = zscore_update(states[recs[i].key & mask], recs[i].channels);
    flags[i] = f;
    anomalies += f;
  }
  return anomalies;
}

// window-agg over recs[idx[j]] (idx null: recs[0..n)); returns the number of
// late records; closed windows are appended to *closed.
HYDRA_ALWAYS_INLINE uint64_t window_impl(WindowState* states, uint32_t mask, int64_t window_ns,
                                         const SensorRecord* recs, const uint32_t* idx, size_t n,
                                         std::vector<WindowSummary>* closed) {
  uint64_t late = 0;
  WindowSummary s;
  for (size_t j = 0; j < n; ++j) {
    const SensorRecord& r = recs[idx == nullptr ? j : idx[j]];
    const uint32_t slot = r.key & mask;
    const int res = window_update(states[slot], r, window_ns, slot, &s);
    if (res == kWindowClosed) closed->push_back(s);
    late += res == kWindowLate;
  }
  return late;
}

#ifdef HYDRA_AVX2_DISPATCH
HYDRA_AVX2 void mlp_avx2(const MlpWeights& w, const SensorRecord* recs, size_t n, float* out) {
  mlp_rows_impl<VecF8>(w, recs, n, out);
}
HYDRA_AVX2 uint64_t zscore_avx2(ZScoreState* states, uint32_t mask, const SensorRecord* recs,
                                const uint32_t* idx, size_t n, uint8_t* flags) {
  return zscore_impl(states, mask, recs, idx, n, flags);
}
HYDRA_AVX2 uint64_t window_avx2(WindowState* states, uint32_t mask, int64_t window_ns,
                                const SensorRecord* recs, const uint32_t* idx, size_t n,
                                std::vector<WindowSummary>* closed) {
  return window_impl(states, mask, window_ns, recs, idx, n, closed);
}
#endif

void mlp_rows(const MlpWeights& w, const SensorRecord* recs, size_t n, float* out) {
#ifdef HYDRA_AVX2_DISPATCH
  if (have_avx2()) return mlp_avx2(w, recs, n, out);
#endif
  mlp_rows_impl<VecF4>(w, recs, n, out);
}

uint64_t zscore_run(ZScoreState* states, uint32_t mask, const SensorRecord* recs,
                    const uint32_t* idx, size_t n, uint8_t* flags) {
#ifdef HYDRA_AVX2_DISPATCH
  if (have_avx2()) return zscore_avx2(states, mask, recs, idx, n, flags);
#endif
  return zscore_impl(states, mask, recs, idx, n, flags);
}

uint64_t window_run(WindowState* states, uint32_t mask, int64_t window_ns, const SensorRecord* recs,
                    const uint32_t* idx, size_t n, std::vector<WindowSummary>* closed) {
#ifdef HYDRA_AVX2_DISPATCH
  if (have_avx2()) return window_avx2(states, mask, window_ns, recs, idx, n, closed);
#endif
  return window_impl(states, mask, window_ns, recs, idx, n, closed);
}

}  // namespace

CpuEngine::CpuEngine(Kind kind, int threads, int window_ms, int key_slots)
    : kind_(kind),
      window_ns_(int64_t(window_ms) * 1'000'000),
      slot_mask_(uint32_t(key_slots) - 1),
      pool_(threads),
      workers_(size_t(pool_.size())) {
  if (kind_ == Kind::kZScore) zscore_ = zeroed<ZScoreState>(size_t(key_slots));
  if (kind_ == Kind::kWindowAgg) window_ = zeroed<WindowState>(size_t(key_slots));
  if (kind_ == Kind::kMlp) mlp_ = std::make_unique<MlpWeights>(make_mlp_weights());
  for (auto& w : workers_) w.buckets.resize(workers_.size());
}

CpuEngine::~CpuEngine() {
  std::free(zscore_);
  std::free(window_);
}

void CpuEngine::run(const SensorRecord* recs, size_t n, BatchOutput* out) {
  out->windows.clear();
  out->results = out->anomalies = out->late = 0;
  switch (kind_) {
    case Kind::kNone:
      return;
    case Kind::kMlp: {
      out->scores.resize(n);
      const int t = pool_.size();
      pool_.run([&](int part) {
        const size_t begin = n * size_t(part) / size_t(t), end = n * size_t(part + 1) / size_t(t);
        mlp_rows(*mlp_, recs + begin, end - begin, out->scores.data() + begin);
      });
      out->results = n;
      return;
    }
    case Kind::kZScore:
      out->flags.resize(n);
      out->results = n;
      if (pool_.size() == 1) {
        out->anomalies = zscore_run(zscore_, slot_mask_, recs, nullptr, n, out->flags.data());
        return;
      }
      run_stateful(recs, n, out);
      return;
    case Kind::kWindowAgg:
      if (pool_.size() == 1) {
        out->late = window_run(window_, slot_mask_, window_ns_, recs, nullptr, n, &out->windows);
        out->results = out->windows.size();
        return;
      }
      run_stateful(recs, n, out);
      return;
  }
}

void CpuEngine::run_stateful(const SensorRecord* recs, size_t n, BatchOutput* out) {
  const int t = pool_.size();
  // Phase 1: bucket each chunk's indices by owner.
  pool_.run([&](int part) {
    Worker& w = workers_[size_t(part)];
    for (auto& b : w.buckets) b.clear();
    const size_t begin = n * size_t(part) / size_t(t), end = n * size_t(part + 1) / size_t(t);
    for (size_t i = begin; i < end; ++i)
      w.buckets[size_t(owner(recs[i].key & slot_mask_))].push_back(uint32_t(i));
  });
  // Phase 2: each owner processes its keys' records, chunk by chunk (in order).
  pool_.run([&](int part) {
    Worker& w = workers_[size_t(part)];
    w.windows.clear();
    w.late = w.anomalies = 0;
    for (int src = 0; src < t; ++src) {
      const auto& idx = workers_[size_t(src)].buckets[size_t(part)];
      if (kind_ == Kind::kZScore)
        w.anomalies +=
            zscore_run(zscore_, slot_mask_, recs, idx.data(), idx.size(), out->flags.data());
      else
        w.late +=
            window_run(window_, slot_mask_, window_ns_, recs, idx.data(), idx.size(), &w.windows);
    }
  });
  for (auto& w : workers_) {
    out->anomalies += w.anomalies;
    out->late += w.late;
    out->windows.insert(out->windows.end(), w.windows.begin(), w.windows.end());
  }
  if (kind_ == Kind::kWindowAgg) out->results = out->windows.size();
}

}  // namespace hydra::proc
