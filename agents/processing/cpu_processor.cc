// The CPU processor: buffers records into a batch and processes it in the
// calling thread (plus pool workers) when full, linger_ms old, or drained.
// Also the counting processor of kind "none".
#include <cmath>
#include <thread>
#include <utility>
#include <vector>

#include "agents/processing/cpu_engine.h"
#include "agents/processing/processor_impl.h"
#include "common/clock.h"

namespace hydra::proc {
namespace {

class CpuProcessor final : public Processor {
 public:
  explicit CpuProcessor(const ProcessingConfig& cfg)
      : batch_(size_t(cfg.batch)),
        linger_ns_(linger_ns(cfg)),
        keep_(cfg.keep_results),
        kind_(parse_kind(cfg.kind)),
        engine_(
            kind_,
            cfg.threads == 0 ? int(std::max(1u, std::thread::hardware_concurrency())) : cfg.threads,
            cfg.window_ms, cfg.key_slots),
        recs_(batch_),
        recv_(batch_),
        intended_(batch_) {}

  void submit(const SensorRecord& r, int64_t recv_ns, int64_t intended_ns) override {
    recs_[n_] = r;
    recv_[n_] = recv_ns;
    intended_[n_] = intended_ns;
    ++n_;
    if (n_ == batch_)
      flush(FlushReason::kFull);
    else if (recv_ns - recv_[0] >= linger_ns_)
      flush(FlushReason::kLinger);
  }

  void poll(int64_t now_ns) override {
    if (n_ > 0 && now_ns - recv_[0] >= linger_ns_) flush(FlushReason::kLinger);
  }

  bool drain(int /*timeout_ms*/) override {
    if (n_ > 0) flush(FlushReason::kDrain);
    return true;  // processing is synchronous: nothing is ever in flight
  }

  ProcessingStats take_stats(bool reset) override {
    ProcessingStats s = stats_;
    if (reset) stats_ = ProcessingStats{};
    return s;
  }

  ProcessingResults take_results() override { return std::exchange(results_, {}); }

  std::string device_name() const override {
    const int t = engine_.threads();
    return "cpu (" + std::to_string(t) + (t == 1 ? " thread)" : " threads)");
  }

 private:
  void flush(FlushReason why) {
    const uint64_t cpu0 = thread_cpu_ns();
    engine_.run(recs_.data(), n_, &out_);
    const int64_t ready = wall_ns();
    stats_.cpu_ns += thread_cpu_ns() - cpu0 + engine_.take_worker_cpu_ns();
    count_flush(stats_, why);
    record_batch_done(stats_, recv_.data(), intended_.data(), n_, ready);
    stats_.results += out_.results;
    stats_.anomalies += out_.anomalies;
    stats_.late += out_.late;
    if (keep_) keep_results();
    ordinal_ += n_;
    n_ = 0;
  }

  void keep_results() {
    switch (kind_) {
      case Kind::kZScore:
        for (size_t i = 0; i < n_; ++i)
          if (out_.flags[i]) results_.anomalies.push_back(ordinal_ + i);
        break;
      case Kind::kMlp:
        results_.scores.insert(results_.scores.end(), out_.scores.begin(),
                               out_.scores.begin() + ptrdiff_t(n_));
        break;
      case Kind::kWindowAgg:
        results_.windows.insert(results_.windows.end(), out_.windows.begin(), out_.windows.end());
        break;
      case Kind::kNone:
        break;
    }
  }

  const size_t batch_;
  const int64_t linger_ns_;
  const bool keep_;
  const Kind kind_;
  CpuEngine engine_;
  std::vector<SensorRecord> recs_;
  std::vector<int64_t> recv_, intended_;
  size_t n_ = 0;
  uint64_t ordinal_ = 0;  // records processed before the buffered batch
  BatchOutput out_;
  ProcessingStats stats_;
  ProcessingResults results_;
};

// kind "none": counts records, processes nothing, adds no latency.
class CountingProcessor final : public Processor {
 public:
  void submit(const SensorRecord&, int64_t, int64_t) override { ++stats_.records; }
  void poll(int64_t) override {}
  bool drain(int) override { return true; }
  ProcessingStats take_stats(bool reset) override {
    ProcessingStats s = stats_;
    if (reset) stats_ = ProcessingStats{};
    return s;
  }
  ProcessingResults take_results() override { return {}; }
  std::string device_name() const override { return "none"; }

 private:
  ProcessingStats stats_;
};

}  // namespace

std::unique_ptr<Processor> make_cpu_processor(const ProcessingConfig& cfg) {
  return std::make_unique<CpuProcessor>(cfg);
}

std::unique_ptr<Processor> make_counting_processor() {
  return std::make_unique<CountingProcessor>();
}

}  // namespace hydra::proc
