// Internal seams of hydra_processing: the concrete processors' factories and
// the bookkeeping every processor shares. Not for clients (use processor.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "agents/processing/processor.h"

namespace hydra::proc {

enum class FlushReason { kFull, kLinger, kDrain };

// Counts a flush in stats (flush_full / flush_linger / flush_drain).
void count_flush(ProcessingStats& s, FlushReason why);

// Accounts a processed batch of n records whose results were ready at
// ready_ns: records, batches, batch_fill and both latency histograms.
void record_batch_done(ProcessingStats& s, const int64_t* recv_ns, const int64_t* intended_ns,
                       size_t n, int64_t ready_ns);

// linger_ms as ns (rounded).
int64_t linger_ns(const ProcessingConfig& cfg);

std::unique_ptr<Processor> make_counting_processor();
std::unique_ptr<Processor> make_cpu_processor(const ProcessingConfig& cfg);

// GPU path (gpu_processor.cu, or gpu_stub.cc when built without CUDA).
// gpu_probe: as gpu_available(), uncached. make_gpu_processor throws
// ProcessingUnavailable when the device cannot be set up.
bool gpu_probe(std::string* why);
std::unique_ptr<Processor> make_gpu_processor(const ProcessingConfig& cfg);

}  // namespace hydra::proc
