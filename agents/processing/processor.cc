// make_processor, gpu_available and the bookkeeping all processors share.
#include <cmath>
#include <mutex>

#include "agents/processing/processor_impl.h"

namespace hydra {
namespace proc {

void count_flush(ProcessingStats& s, FlushReason why) {
  switch (why) {
    case FlushReason::kFull:
      ++s.flush_full;
      break;
    case FlushReason::kLinger:
      ++s.flush_linger;
      break;
    case FlushReason::kDrain:
      ++s.flush_drain;
      break;
  }
}

void record_batch_done(ProcessingStats& s, const int64_t* recv_ns, const int64_t* intended_ns,
                       size_t n, int64_t ready_ns) {
  s.records += n;
  s.batches += 1;
  s.batch_fill.record(int64_t(n));
  for (size_t i = 0; i < n; ++i) {
    s.added_latency.record(ready_ns - recv_ns[i]);
    s.e2e_latency.record(ready_ns - intended_ns[i]);
  }
}

int64_t linger_ns(const ProcessingConfig& cfg) {
  return std::llround(cfg.linger_ms * 1e6);
}

}  // namespace proc

bool gpu_available(std::string* why) {
  static std::once_flag once;
  static bool ok = false;
  static std::string reason;
  std::call_once(once, [] { ok = proc::gpu_probe(&reason); });
  if (why != nullptr) *why = reason;
  return ok;
}

std::unique_ptr<Processor> make_processor(const ProcessingConfig& cfg, std::string* note) {
  cfg.validate();
  if (note != nullptr) note->clear();
  if (cfg.kind == "none") return proc::make_counting_processor();
  if (cfg.device == "cpu") return proc::make_cpu_processor(cfg);
  std::string why;
  if (!gpu_available(&why)) {
    if (cfg.device == "gpu")
      throw ProcessingUnavailable("processing.device=gpu but no usable GPU: " + why);
    if (note != nullptr) *note = "processing.device=auto: no usable GPU (" + why + "); using cpu";
    return proc::make_cpu_processor(cfg);
  }
  if (cfg.device == "gpu") return proc::make_gpu_processor(cfg);
  try {
    return proc::make_gpu_processor(cfg);
  } catch (const ProcessingUnavailable& e) {
    if (note != nullptr)
      *note = std::string("processing.device=auto: GPU setup failed (") + e.what() + "); using cpu";
    return proc::make_cpu_processor(cfg);
  }
}

}  // namespace hydra
