#include "harness/json_reporter.h"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "harness/fault_figures.h"

namespace hydra {

nlohmann::json step_json(const Row& row, const StepResult& result) {
  nlohmann::json j = result.to_json();
  j["row"] = nlohmann::json::parse(row.to_json().dump());
  j["merged_latency"] = merged_latency(result).to_json();
  // The per-second counts, merged over the clients (fault_figures.h); each
  // client's own would repeat them N times over.
  for (auto& c : j["clients"]) c.erase("series");
  j["publisher"].erase("series");
  if (auto t = timeline_json(result); !t.is_null()) j["timeline"] = std::move(t);
  return j;
}

JsonReporter::JsonReporter(std::filesystem::path out_dir) : dir_(std::move(out_dir) / "steps") {}

std::filesystem::path JsonReporter::path_for(int step, int repeat) const {
  return dir_ / (step_file_stem(step, repeat) + ".json");
}

void JsonReporter::on_step_done(const Row& row, const StepResult& result) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create " + dir_.string() + ": " + ec.message());
  const auto path = path_for(result.step, result.repeat);
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::out | std::ios::trunc);
    out << step_json(row, result).dump(2) << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
}

}  // namespace hydra
