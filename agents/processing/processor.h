// The subscriber's optional processing stage: "if my consumers do real work on
// each message, does a GPU help, from which batch size, and what does it cost
// in latency?"
//
// A subscriber client that reads sensor payloads (sensor_record.h) owns one
// Processor, made by make_processor() from the scenario's processing block, and
// calls it from its own thread only (a Processor is not thread-safe):
//
//   submit(record, recv_ns, intended_ns)   for every sensor message
//   poll(now_ns)                           often (every loop turn)
//   take_stats(reset)                      when the agent collects stats
//   drain()                                before the final collection
//
// Records are buffered into batches. A batch is processed when it holds
// `batch` records, or when its oldest record is `linger_ms` old (checked in
// submit() and poll()), or on drain(). The CPU path processes a batch in the
// calling thread (helped by `threads - 1` pool workers); the GPU path copies it
// to the device asynchronously and harvests finished batches in poll().
//
// Kinds (all per-key state is indexed by key slot = key & (key_slots - 1)):
//   none        counts records, nothing else
//   window-agg  per-key tumbling windows of window_ms (event time): count and
//               per-channel mean, variance, min, max; a window is emitted when
//               a later record of its key opens the next one; records older
//               than their key's open window are dropped and counted as late
//   zscore      per-key running mean/variance per channel (Welford); a record
//               is an anomaly when |z| > 3 on any channel, judged against the
//               statistics before it (after a 30-record warm-up per key)
//   mlp         a fixed-weight MLP 12 -> 64 -> 64 -> 1 (ReLU, sigmoid) scores
//               every record
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "agents/processing/sensor_record.h"
#include "common/histogram.h"
#include "common/processing_stats.h"

namespace hydra {

// The scenario's processing block (subscribers.processing), with defaults.
struct ProcessingConfig {
  std::string kind = "none";   // none | window-agg | zscore | mlp
  std::string device = "cpu";  // cpu | gpu | auto (gpu when usable, else cpu)
  int batch = 4096;            // records per batch, 1 .. 4194304
  double linger_ms = 2;        // flush a partial batch when its oldest record is this old
  int threads = 1;             // cpu: threads per processor (0: all cores)
  int window_ms = 1000;        // window-agg: tumbling window length (event time)
  int key_slots = 16384;       // per-key state slots, a power of two; keys fold modulo it
  bool keep_results = false;   // keep results for take_results() (tests, same-answers check)

  // Throws std::invalid_argument naming the first bad field and what is allowed.
  void validate() const;
  nlohmann::json to_json() const;
  // Missing keys keep their defaults; unknown keys, wrong types and bad values
  // throw std::invalid_argument naming the key.
  static ProcessingConfig from_json(const nlohmann::json& j);
};

// One closed window-agg window (mean and population variance per channel).
struct WindowSummary {
  uint32_t key = 0;  // key slot (= key when keys < key_slots)
  uint32_t count = 0;
  int64_t window_start_ns = 0;
  double mean[kSensorChannels] = {};
  double var[kSensorChannels] = {};
  float min[kSensorChannels] = {};
  float max[kSensorChannels] = {};
};

// Results kept when ProcessingConfig::keep_results is set. Record ordinals
// count submit() calls from 0.
struct ProcessingResults {
  std::vector<WindowSummary> windows;  // window-agg, in no particular order
  std::vector<uint64_t> anomalies;     // zscore: ordinals of flagged records, ascending
  std::vector<float> scores;           // mlp: one per record, by ordinal
};

// device=gpu and no usable GPU (or the GPU path failed to start).
class ProcessingUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A processing failure at run time (a CUDA error, a GPU batch that never
// completed). Thrown from submit/poll/drain; the client reports it.
class ProcessingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Processor {
 public:
  virtual ~Processor() = default;
  // Buffers one record; processes the batch when it is full or linger_ms old.
  virtual void submit(const SensorRecord& r, int64_t recv_ns, int64_t intended_ns) = 0;
  // Flushes a batch whose oldest record is linger_ms old at now_ns (wall ns),
  // harvests finished GPU batches. Cheap when there is nothing to do.
  virtual void poll(int64_t now_ns) = 0;
  // Flushes and waits until every batch is processed, at most timeout_ms.
  // False when something was still in flight at the deadline.
  virtual bool drain(int timeout_ms = 10000) = 0;
  virtual ProcessingStats take_stats(bool reset) = 0;
  // Results processed so far (moved out); empty unless keep_results.
  virtual ProcessingResults take_results() = 0;
  // "none", "cpu (4 threads)", "gpu: NVIDIA H100 80GB HBM3 (sm_90)".
  virtual std::string device_name() const = 0;
};

// Validates cfg (std::invalid_argument) and makes its processor. kind none
// returns one that only counts (whatever the device). device gpu without a
// usable GPU throws ProcessingUnavailable; device auto falls back to cpu and
// says why in *note (when note is not null; empty otherwise).
std::unique_ptr<Processor> make_processor(const ProcessingConfig& cfg, std::string* note = nullptr);

// Whether the GPU path can run here: built with CUDA, a device present, and a
// probe kernel ran. *why (when not null): the reason when false, the device
// when true. Probed once per process.
bool gpu_available(std::string* why = nullptr);

}  // namespace hydra
