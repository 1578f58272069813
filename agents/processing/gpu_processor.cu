// The GPU processor (CUDA runtime).
//
// Records are staged straight into pinned host buffers: a ring of kSlots
// slots, each with its own stream, device buffers and events. The slot being
// filled is launched when it holds `batch` records or its oldest record is
// linger_ms old: async H2D copy of the records (by length), the kind's
// kernels, and an async D2H copy of the small results only (zscore: a flag
// byte per record; mlp: a float score per record; window-agg: two counters,
// then the closed windows). poll() harvests finished slots, oldest first, by
// cudaEventQuery: nothing waits on the GPU unless the ring is full
// (backpressure) or drain() is called, and those waits are bounded.
//
// Per-key state (zscore, window-agg) lives on the device. Within a batch a
// key's records must be applied in order, so the stateful kinds sort the
// batch's record indices by key slot (stable radix sort), cut the sorted list
// into per-key runs, and give each run to one thread, which applies its
// records in submission order with the arithmetic of kinds.h. The state
// kernels of consecutive batches are ordered across streams with events, while
// copies of the next batch overlap the current batch's compute.
#include <cuda_runtime.h>

#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_run_length_encode.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agents/processing/kinds.h"
#include "agents/processing/processor_impl.h"
#include "agents/processing/thread_pool.h"
#include "common/clock.h"

namespace hydra::proc {
namespace {

void check(cudaError_t e, const char* what, const char* file, int line) {
  if (e != cudaSuccess)
    throw ProcessingError(std::string(file) + ":" + std::to_string(line) + ": " + what + ": " +
                          cudaGetErrorName(e) + ": " + cudaGetErrorString(e));
}
#define HYDRA_CUDA_CHECK(expr) check((expr), #expr, __FILE__, __LINE__)

// After a kernel launch. cudaErrorNotReady is what cudaEventQuery answers for
// a batch still running; it is not a failure, whether or not the runtime
// left it behind as the last error.
void check_launch(const char* kernel, const char* file, int line) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaErrorNotReady) check(e, kernel, file, line);
}
#define HYDRA_CUDA_CHECK_LAUNCH(kernel) check_launch(kernel, __FILE__, __LINE__)

constexpr int kSlots = 4;
constexpr int kBlock = 256;     // threads per block, per-record kernels
constexpr int kRunBlock = 128;  // threads per block, per-key-run kernels (big state)
constexpr int64_t kBackpressureTimeoutNs = 30'000'000'000;  // a batch that takes longer is a fault
constexpr int64_t kHarvestEveryNs = 10'000;  // poll() checks finished batches at most this often

__constant__ MlpWeights c_mlp;

__global__ void probe_kernel(int* out) {
  *out = 0x4859;
}

__device__ __forceinline__ void load_channels(const SensorRecord* r, float* x) {
  // channels start at byte 16 of the 64-byte record: three aligned float4s.
  const float4* p = reinterpret_cast<const float4*>(r) + 1;
#pragma unroll
  for (int q = 0; q < 3; ++q) {
    const float4 v = __ldg(p + q);
    x[4 * q + 0] = v.x;
    x[4 * q + 1] = v.y;
    x[4 * q + 2] = v.z;
    x[4 * q + 3] = v.w;
  }
}

__global__ void key_slots_kernel(const SensorRecord* recs, uint32_t n, uint32_t mask,
                                 uint32_t* keys, uint32_t* order) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    keys[i] = recs[i].key & mask;
    order[i] = i;
  }
}

// One thread per key run: order[begin..begin+len) are the run's record
// indices, ascending.
__global__ void __launch_bounds__(kRunBlock)
    zscore_kernel(const SensorRecord* recs, const uint32_t* order, const uint32_t* run_slot,
                  const uint32_t* run_len, const uint32_t* run_begin, const uint32_t* num_runs,
                  ZScoreState* states, uint8_t* flags) {
  const uint32_t run = blockIdx.x * blockDim.x + threadIdx.x;
  if (run >= *num_runs) return;
  const uint32_t slot = run_slot[run];
  ZScoreState s = states[slot];
  const uint32_t begin = run_begin[run], end = begin + run_len[run];
  for (uint32_t j = begin; j < end; ++j) {
    const uint32_t i = order[j];
    float x[kC];
    load_channels(recs + i, x);
    flags[i] = zscore_update(s, x) ? 1 : 0;
  }
  states[slot] = s;
}

// counters[0]: windows closed (index into closed), counters[1]: late records.
__global__ void __launch_bounds__(kRunBlock)
    window_kernel(const SensorRecord* recs, const uint32_t* order, const uint32_t* run_slot,
                  const uint32_t* run_len, const uint32_t* run_begin, const uint32_t* num_runs,
                  WindowState* states, int64_t window_ns, WindowSummary* closed,
                  uint32_t* counters) {
  const uint32_t run = blockIdx.x * blockDim.x + threadIdx.x;
  if (run >= *num_runs) return;
  const uint32_t slot = run_slot[run];
  WindowState s = states[slot];
  const uint32_t begin = run_begin[run], end = begin + run_len[run];
  uint32_t late = 0;
  WindowSummary w;
  for (uint32_t j = begin; j < end; ++j) {
    const SensorRecord r = recs[order[j]];
    const int res = window_update(s, r, window_ns, slot, &w);
    if (res == kWindowClosed) closed[atomicAdd(&counters[0], 1u)] = w;
    late += res == kWindowLate ? 1u : 0u;
  }
  states[slot] = s;
  if (late > 0) atomicAdd(&counters[1], late);
}

// One thread per record; weights in constant memory (every lane reads the
// same weight at the same time: broadcast). Summation order as kinds.h says.
__global__ void __launch_bounds__(kBlock)
    mlp_kernel(const SensorRecord* recs, uint32_t n, float* scores) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float x[kC];
  load_channels(recs + i, x);
  float h1[kH];
#pragma unroll
  for (int k = 0; k < kH; ++k) {
    float acc = c_mlp.b1[k];
#pragma unroll
    for (int c = 0; c < kC; ++c) acc += c_mlp.w1[k][c] * x[c];
    h1[k] = acc > 0.0f ? acc : 0.0f;
  }
  float o = c_mlp.b3;
  for (int k = 0; k < kH; ++k) {
    float acc = c_mlp.b2[k];
#pragma unroll
    for (int j = 0; j < kH; ++j) acc += c_mlp.w2[k][j] * h1[j];
    o += c_mlp.w3[k] * (acc > 0.0f ? acc : 0.0f);
  }
  scores[i] = 1.0f / (1.0f + expf(-o));
}

unsigned grid_for(size_t n, int block) {
  return unsigned((n + size_t(block) - 1) / size_t(block));
}

template <typename T>
void device_alloc(T** p, size_t count) {
  HYDRA_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(p), std::max<size_t>(count, 1) * sizeof(T)));
}
template <typename T>
void pinned_alloc(T** p, size_t count) {
  HYDRA_CUDA_CHECK(
      cudaMallocHost(reinterpret_cast<void**>(p), std::max<size_t>(count, 1) * sizeof(T)));
}

class GpuProcessor final : public Processor {
 public:
  explicit GpuProcessor(const ProcessingConfig& cfg)
      : batch_(size_t(cfg.batch)),
        linger_ns_(linger_ns(cfg)),
        keep_(cfg.keep_results),
        kind_(parse_kind(cfg.kind)),
        window_ns_(int64_t(cfg.window_ms) * 1'000'000),
        key_slots_(uint32_t(cfg.key_slots)) {
    try {
      init();
    } catch (...) {
      release();
      throw;
    }
  }

  ~GpuProcessor() override { release(); }

  void submit(const SensorRecord& r, int64_t recv_ns, int64_t intended_ns) override {
    Slot& s = slots_[cur_];
    s.h_recs[s.n] = r;
    s.recv[s.n] = recv_ns;
    s.intended[s.n] = intended_ns;
    ++s.n;
    if (s.n == batch_)
      flush(FlushReason::kFull);
    else if (recv_ns - s.recv[0] >= linger_ns_)
      flush(FlushReason::kLinger);
  }

  void poll(int64_t now_ns) override {
    const Slot& s = slots_[cur_];
    if (s.n > 0 && now_ns - s.recv[0] >= linger_ns_) flush(FlushReason::kLinger);
    // Clients poll after every message; asking the driver about in-flight
    // batches that often costs more than it tells.
    if (in_flight_ > 0 &&
        (now_ns < last_harvest_ns_ || now_ns - last_harvest_ns_ >= kHarvestEveryNs)) {
      last_harvest_ns_ = now_ns;
      harvest();
    }
  }

  bool drain(int timeout_ms) override {
    if (slots_[cur_].n > 0) flush(FlushReason::kDrain);
    const int64_t deadline = mono_ns() + int64_t(timeout_ms) * 1'000'000;
    for (;;) {
      harvest();
      if (in_flight_ == 0) return true;
      if (mono_ns() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  ProcessingStats take_stats(bool reset) override {
    ProcessingStats s = stats_;
    if (reset) stats_ = ProcessingStats{};
    return s;
  }

  ProcessingResults take_results() override { return std::exchange(results_, {}); }

  std::string device_name() const override { return name_; }

 private:
  enum class State { kFree, kRunning, kFetching };

  struct Slot {
    State state = State::kFree;
    size_t n = 0;
    uint64_t first_ordinal = 0;
    FlushReason why = FlushReason::kFull;
    std::vector<int64_t> recv, intended;
    // Pinned host buffers.
    SensorRecord* h_recs = nullptr;
    uint8_t* h_flags = nullptr;
    float* h_scores = nullptr;
    uint32_t* h_counters = nullptr;  // window-agg: closed, late
    WindowSummary* h_windows = nullptr;
    size_t h_windows_cap = 0;
    // Device buffers.
    SensorRecord* d_recs = nullptr;
    uint32_t *d_keys = nullptr, *d_keys_sorted = nullptr, *d_order_in = nullptr, *d_order = nullptr;
    uint32_t *d_run_slot = nullptr, *d_run_len = nullptr, *d_run_begin = nullptr;
    uint32_t* d_counters = nullptr;  // [0] runs, [1] windows closed, [2] late
    void* d_temp = nullptr;
    size_t temp_bytes = 0;
    uint8_t* d_flags = nullptr;
    float* d_scores = nullptr;
    WindowSummary* d_windows = nullptr;
    cudaStream_t stream = nullptr;
    cudaEvent_t computed = nullptr;  // state kernels done (orders the next batch's)
    cudaEvent_t done = nullptr;      // results copied to the host
  };

  bool stateful() const { return kind_ == Kind::kZScore || kind_ == Kind::kWindowAgg; }
  int key_bits() const {
    int bits = 1;
    while ((uint32_t(1) << bits) < key_slots_) ++bits;
    return bits;
  }

  void init() {
    int dev = 0;
    HYDRA_CUDA_CHECK(cudaGetDevice(&dev));
    cudaDeviceProp prop;
    HYDRA_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
    name_ = std::string("gpu: ") + prop.name + " (sm_" + std::to_string(prop.major) +
            std::to_string(prop.minor) + ")";
    if (kind_ == Kind::kMlp) upload_mlp_weights();
    if (kind_ == Kind::kZScore) {
      device_alloc(&d_zscore_, key_slots_);
      HYDRA_CUDA_CHECK(cudaMemset(d_zscore_, 0, key_slots_ * sizeof(ZScoreState)));
    }
    if (kind_ == Kind::kWindowAgg) {
      device_alloc(&d_window_, key_slots_);
      HYDRA_CUDA_CHECK(cudaMemset(d_window_, 0, key_slots_ * sizeof(WindowState)));
    }
    for (Slot& s : slots_) init_slot(s);
    HYDRA_CUDA_CHECK(cudaDeviceSynchronize());
  }

  static void upload_mlp_weights() {
    static std::once_flag once;
    static cudaError_t err = cudaSuccess;
    std::call_once(once, [] {
      const MlpWeights w = make_mlp_weights();
      err = cudaMemcpyToSymbol(c_mlp, &w, sizeof(w));
    });
    HYDRA_CUDA_CHECK(err);
  }

  void init_slot(Slot& s) {
    s.recv.resize(batch_);
    s.intended.resize(batch_);
    HYDRA_CUDA_CHECK(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
    HYDRA_CUDA_CHECK(cudaEventCreateWithFlags(&s.computed, cudaEventDisableTiming));
    HYDRA_CUDA_CHECK(cudaEventCreateWithFlags(&s.done, cudaEventDisableTiming));
    pinned_alloc(&s.h_recs, batch_);
    device_alloc(&s.d_recs, batch_);
    switch (kind_) {
      case Kind::kMlp:
        pinned_alloc(&s.h_scores, batch_);
        device_alloc(&s.d_scores, batch_);
        return;
      case Kind::kZScore:
        pinned_alloc(&s.h_flags, batch_);
        device_alloc(&s.d_flags, batch_);
        break;
      case Kind::kWindowAgg:
        pinned_alloc(&s.h_counters, 2);
        device_alloc(&s.d_windows, batch_);  // a batch closes at most one window per record
        break;
      case Kind::kNone:
        return;
    }
    for (uint32_t** p : {&s.d_keys, &s.d_keys_sorted, &s.d_order_in, &s.d_order, &s.d_run_slot,
                         &s.d_run_len, &s.d_run_begin})
      device_alloc(p, batch_);
    device_alloc(&s.d_counters, 3);
    ensure_temp(s, batch_);
  }

  // One scratch area serves the three CUB calls (they run in order on the
  // slot's stream). Sized for n records; the size queries are host-only.
  void ensure_temp(Slot& s, size_t n_records) {
    size_t sort = 0, rle = 0, scan = 0;
    const int n = int(n_records);
    HYDRA_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, sort, s.d_keys, s.d_keys_sorted,
                                                     s.d_order_in, s.d_order, n, 0, key_bits()));
    HYDRA_CUDA_CHECK(cub::DeviceRunLengthEncode::Encode(nullptr, rle, s.d_keys_sorted, s.d_run_slot,
                                                        s.d_run_len, s.d_counters, n));
    HYDRA_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, scan, s.d_run_len, s.d_run_begin, n));
    const size_t need = std::max({sort, rle, scan, size_t(1)});
    if (need <= s.temp_bytes) return;
    if (s.d_temp != nullptr) HYDRA_CUDA_CHECK(cudaFree(s.d_temp));  // rare: synchronises
    s.d_temp = nullptr;
    s.temp_bytes = 0;
    HYDRA_CUDA_CHECK(cudaMalloc(&s.d_temp, need));
    s.temp_bytes = need;
  }

  void release() noexcept {
    for (Slot& s : slots_) {
      if (s.stream != nullptr) cudaStreamSynchronize(s.stream);
      for (void* p : {static_cast<void*>(s.h_recs), static_cast<void*>(s.h_flags),
                      static_cast<void*>(s.h_scores), static_cast<void*>(s.h_counters),
                      static_cast<void*>(s.h_windows)})
        if (p != nullptr) cudaFreeHost(p);
      for (void* p : {static_cast<void*>(s.d_recs), static_cast<void*>(s.d_keys),
                      static_cast<void*>(s.d_keys_sorted), static_cast<void*>(s.d_order_in),
                      static_cast<void*>(s.d_order), static_cast<void*>(s.d_run_slot),
                      static_cast<void*>(s.d_run_len), static_cast<void*>(s.d_run_begin),
                      static_cast<void*>(s.d_counters), s.d_temp, static_cast<void*>(s.d_flags),
                      static_cast<void*>(s.d_scores), static_cast<void*>(s.d_windows)})
        if (p != nullptr) cudaFree(p);
      if (s.computed != nullptr) cudaEventDestroy(s.computed);
      if (s.done != nullptr) cudaEventDestroy(s.done);
      if (s.stream != nullptr) cudaStreamDestroy(s.stream);
      s = Slot{};
    }
    if (d_zscore_ != nullptr) cudaFree(d_zscore_);
    if (d_window_ != nullptr) cudaFree(d_window_);
    d_zscore_ = nullptr;
    d_window_ = nullptr;
  }

  // Launches the filling slot and moves on to the next one, waiting (bounded)
  // for it when the whole ring is in flight.
  void flush(FlushReason why) {
    Slot& s = slots_[cur_];
    s.why = why;
    s.first_ordinal = ordinal_;
    ordinal_ += s.n;
    const uint64_t cpu0 = thread_cpu_ns();
    launch(s);
    stats_.cpu_ns += thread_cpu_ns() - cpu0;
    ++in_flight_;
    cur_ = (cur_ + 1) % kSlots;
    if (slots_[cur_].state == State::kFree) return;
    const int64_t deadline = mono_ns() + kBackpressureTimeoutNs;
    while (slots_[cur_].state != State::kFree) {
      harvest();
      if (slots_[cur_].state == State::kFree) break;
      if (mono_ns() >= deadline)
        throw ProcessingError("GPU batch did not complete within 30 s (" + name_ + ")");
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }

  void launch(Slot& s) {
    const uint32_t n = uint32_t(s.n);
    cudaStream_t st = s.stream;
    HYDRA_CUDA_CHECK(cudaMemcpyAsync(s.d_recs, s.h_recs, size_t(n) * sizeof(SensorRecord),
                                     cudaMemcpyHostToDevice, st));
    if (kind_ == Kind::kMlp) {
      mlp_kernel<<<grid_for(n, kBlock), kBlock, 0, st>>>(s.d_recs, n, s.d_scores);
      HYDRA_CUDA_CHECK_LAUNCH("mlp_kernel");
      HYDRA_CUDA_CHECK(cudaMemcpyAsync(s.h_scores, s.d_scores, size_t(n) * sizeof(float),
                                       cudaMemcpyDeviceToHost, st));
    } else if (stateful()) {
      key_slots_kernel<<<grid_for(n, kBlock), kBlock, 0, st>>>(s.d_recs, n, key_slots_ - 1,
                                                               s.d_keys, s.d_order_in);
      HYDRA_CUDA_CHECK_LAUNCH("key_slots_kernel");
      ensure_temp(s, n);
      size_t bytes = s.temp_bytes;
      HYDRA_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(s.d_temp, bytes, s.d_keys, s.d_keys_sorted,
                                                       s.d_order_in, s.d_order, int(n), 0,
                                                       key_bits(), st));
      // Lengths past the run count stay 0, so the scan below reads no garbage.
      HYDRA_CUDA_CHECK(cudaMemsetAsync(s.d_run_len, 0, size_t(n) * sizeof(uint32_t), st));
      HYDRA_CUDA_CHECK(cudaMemsetAsync(s.d_counters, 0, 3 * sizeof(uint32_t), st));
      bytes = s.temp_bytes;
      HYDRA_CUDA_CHECK(cub::DeviceRunLengthEncode::Encode(
          s.d_temp, bytes, s.d_keys_sorted, s.d_run_slot, s.d_run_len, s.d_counters, int(n), st));
      bytes = s.temp_bytes;
      HYDRA_CUDA_CHECK(
          cub::DeviceScan::ExclusiveSum(s.d_temp, bytes, s.d_run_len, s.d_run_begin, int(n), st));
      // Per-key state: this batch's kernel runs after the previous batch's.
      if (last_computed_ != nullptr) HYDRA_CUDA_CHECK(cudaStreamWaitEvent(st, last_computed_, 0));
      const unsigned grid = grid_for(std::min<size_t>(n, key_slots_), kRunBlock);
      if (kind_ == Kind::kZScore) {
        zscore_kernel<<<grid, kRunBlock, 0, st>>>(s.d_recs, s.d_order, s.d_run_slot, s.d_run_len,
                                                  s.d_run_begin, s.d_counters, d_zscore_,
                                                  s.d_flags);
        HYDRA_CUDA_CHECK_LAUNCH("zscore_kernel");
        HYDRA_CUDA_CHECK(cudaEventRecord(s.computed, st));
        HYDRA_CUDA_CHECK(cudaMemcpyAsync(s.h_flags, s.d_flags, n, cudaMemcpyDeviceToHost, st));
      } else {
        window_kernel<<<grid, kRunBlock, 0, st>>>(s.d_recs, s.d_order, s.d_run_slot, s.d_run_len,
                                                  s.d_run_begin, s.d_counters, d_window_,
                                                  window_ns_, s.d_windows, s.d_counters + 1);
        HYDRA_CUDA_CHECK_LAUNCH("window_kernel");
        HYDRA_CUDA_CHECK(cudaEventRecord(s.computed, st));
        HYDRA_CUDA_CHECK(cudaMemcpyAsync(s.h_counters, s.d_counters + 1, 2 * sizeof(uint32_t),
                                         cudaMemcpyDeviceToHost, st));
      }
      last_computed_ = s.computed;
    }
    HYDRA_CUDA_CHECK(cudaEventRecord(s.done, st));
    s.state = State::kRunning;
  }

  // Finishes in-flight slots in launch order, as far as they are done.
  void harvest() {
    while (in_flight_ > 0) {
      Slot& s = slots_[(cur_ + kSlots - in_flight_) % kSlots];
      const cudaError_t q = cudaEventQuery(s.done);
      if (q == cudaErrorNotReady) return;
      HYDRA_CUDA_CHECK(q);
      if (kind_ == Kind::kWindowAgg && s.state == State::kRunning && s.h_counters[0] > 0) {
        fetch_windows(s);  // second stage: now that the count is known
        return;
      }
      finish(s);
      --in_flight_;
    }
  }

  void fetch_windows(Slot& s) {
    const uint64_t cpu0 = thread_cpu_ns();
    const size_t closed = s.h_counters[0];
    if (closed > s.h_windows_cap) {  // grow geometrically, up to one per record
      const size_t cap = std::max(closed, std::min<size_t>(2 * s.h_windows_cap + 1024, batch_));
      if (s.h_windows != nullptr) HYDRA_CUDA_CHECK(cudaFreeHost(s.h_windows));
      s.h_windows = nullptr;
      s.h_windows_cap = 0;
      pinned_alloc(&s.h_windows, cap);
      s.h_windows_cap = cap;
    }
    HYDRA_CUDA_CHECK(cudaMemcpyAsync(s.h_windows, s.d_windows, closed * sizeof(WindowSummary),
                                     cudaMemcpyDeviceToHost, s.stream));
    HYDRA_CUDA_CHECK(cudaEventRecord(s.done, s.stream));
    s.state = State::kFetching;
    stats_.cpu_ns += thread_cpu_ns() - cpu0;
  }

  void finish(Slot& s) {
    const int64_t ready = wall_ns();
    const uint64_t cpu0 = thread_cpu_ns();
    const size_t n = s.n;
    count_flush(stats_, s.why);
    record_batch_done(stats_, s.recv.data(), s.intended.data(), n, ready);
    switch (kind_) {
      case Kind::kZScore: {
        uint64_t anomalies = 0;
        for (size_t i = 0; i < n; ++i) anomalies += s.h_flags[i];
        stats_.results += n;
        stats_.anomalies += anomalies;
        if (keep_)
          for (size_t i = 0; i < n; ++i)
            if (s.h_flags[i]) results_.anomalies.push_back(s.first_ordinal + i);
        break;
      }
      case Kind::kMlp:
        stats_.results += n;
        if (keep_) results_.scores.insert(results_.scores.end(), s.h_scores, s.h_scores + n);
        break;
      case Kind::kWindowAgg: {
        const size_t closed = s.h_counters[0];
        stats_.results += closed;
        stats_.late += s.h_counters[1];
        if (keep_ && closed > 0)
          results_.windows.insert(results_.windows.end(), s.h_windows, s.h_windows + closed);
        break;
      }
      case Kind::kNone:
        break;
    }
    s.n = 0;
    s.state = State::kFree;
    stats_.cpu_ns += thread_cpu_ns() - cpu0;
  }

  const size_t batch_;
  const int64_t linger_ns_;
  const bool keep_;
  const Kind kind_;
  const int64_t window_ns_;
  const uint32_t key_slots_;
  std::string name_;
  Slot slots_[kSlots];
  int cur_ = 0;        // the slot being filled
  int in_flight_ = 0;  // launched, not yet finished: the in_flight_ slots before cur_
  uint64_t ordinal_ = 0;
  int64_t last_harvest_ns_ = 0;
  cudaEvent_t last_computed_ = nullptr;
  ZScoreState* d_zscore_ = nullptr;
  WindowState* d_window_ = nullptr;
  ProcessingStats stats_;
  ProcessingResults results_;
};

}  // namespace

bool gpu_probe(std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why != nullptr) *why = reason;
    return false;
  };
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorInsufficientDriver)
    return fail(
        "no NVIDIA driver loaded, or one older than this CUDA runtime "
        "(cudaErrorInsufficientDriver)");
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0))
    return fail("no CUDA device (cudaErrorNoDevice)");
  if (e != cudaSuccess)
    return fail(std::string("cudaGetDeviceCount: ") + cudaGetErrorName(e) + ": " +
                cudaGetErrorString(e));
  cudaDeviceProp prop;
  e = cudaGetDeviceProperties(&prop, 0);
  if (e != cudaSuccess)
    return fail(std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(e));
  const std::string name = std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
                           std::to_string(prop.minor) + ")";
  // A device we have no kernel image for (or that is otherwise unusable)
  // fails here rather than on the first batch.
  int* d = nullptr;
  int value = 0;
  e = cudaMalloc(&d, sizeof(int));
  if (e == cudaSuccess) {
    probe_kernel<<<1, 1>>>(d);
    e = cudaGetLastError();
    if (e == cudaSuccess) e = cudaMemcpy(&value, d, sizeof(int), cudaMemcpyDeviceToHost);
    cudaFree(d);
  }
  if (e != cudaSuccess || value != 0x4859)
    return fail("CUDA device " + name + " failed a probe kernel: " +
                (e != cudaSuccess ? cudaGetErrorString(e) : "wrong value"));
  if (why != nullptr) *why = name;
  return true;
}

std::unique_ptr<Processor> make_gpu_processor(const ProcessingConfig& cfg) {
  try {
    return std::make_unique<GpuProcessor>(cfg);
  } catch (const ProcessingError& e) {
    throw ProcessingUnavailable(std::string("GPU processor setup failed: ") + e.what());
  }
}

}  // namespace hydra::proc
