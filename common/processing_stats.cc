// ProcessingStats: merge and lossless JSON (histograms travel whole).
#include "common/processing_stats.h"

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace hydra {

ProcessingStats& ProcessingStats::operator+=(const ProcessingStats& o) {
#define HYDRA_FIELD(n) n += o.n;
  HYDRA_PROCESSING_COUNTERS(HYDRA_FIELD)
  HYDRA_PROCESSING_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  return *this;
}

nlohmann::json ProcessingStats::to_json() const {
  nlohmann::json j = nlohmann::json::object();
#define HYDRA_FIELD(n) j[#n] = n;
  HYDRA_PROCESSING_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
#define HYDRA_FIELD(n) j[#n] = n.to_json();
  HYDRA_PROCESSING_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  return j;
}

ProcessingStats ProcessingStats::from_json(const nlohmann::json& j) {
  ProcessingStats s;
  try {
#define HYDRA_FIELD(n) s.n = j.at(#n).get<uint64_t>();
    HYDRA_PROCESSING_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
#define HYDRA_FIELD(n) s.n = Histogram::from_json(j.at(#n));
    HYDRA_PROCESSING_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("processing stats: ") + e.what());
  }
  return s;
}

}  // namespace hydra
