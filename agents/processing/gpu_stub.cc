// The GPU path when hydra_processing is built without CUDA.
#include "agents/processing/processor_impl.h"

namespace hydra::proc {

bool gpu_probe(std::string* why) {
  if (why != nullptr) *why = "built without CUDA (HYDRA_CUDA=OFF or no toolkit)";
  return false;
}

std::unique_ptr<Processor> make_gpu_processor(const ProcessingConfig&) {
  throw ProcessingUnavailable("built without CUDA (HYDRA_CUDA=OFF or no toolkit)");
}

}  // namespace hydra::proc
