// ProcessingConfig: validation and JSON (the scenario's processing block
// travels to subscriber agents inside SubscriberConfig::processing).
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agents/processing/kinds.h"
#include "agents/processing/processor.h"

namespace hydra {
namespace {

constexpr int kMaxBatch = 1 << 22;
constexpr int kMaxKeySlots = 1 << 24;

[[noreturn]] void bad(const std::string& key, const std::string& allowed, const std::string& got) {
  throw std::invalid_argument("processing." + key + " must be " + allowed + ", got " + got);
}

template <typename T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

void ProcessingConfig::validate() const {
  if (kind != "none" && kind != "window-agg" && kind != "zscore" && kind != "mlp")
    bad("kind", "one of none, window-agg, zscore, mlp", "\"" + kind + "\"");
  if (device != "cpu" && device != "gpu" && device != "auto")
    bad("device", "one of cpu, gpu, auto", "\"" + device + "\"");
  if (batch < 1 || batch > kMaxBatch) bad("batch", "in [1, " + str(kMaxBatch) + "]", str(batch));
  if (!std::isfinite(linger_ms) || linger_ms < 0) bad("linger_ms", "a number >= 0", str(linger_ms));
  if (threads < 0 || threads > 1024) bad("threads", "in [0, 1024] (0: all cores)", str(threads));
  if (window_ms < 1) bad("window_ms", ">= 1", str(window_ms));
  if (key_slots < 1 || key_slots > kMaxKeySlots || (key_slots & (key_slots - 1)) != 0)
    bad("key_slots", "a power of two in [1, " + str(kMaxKeySlots) + "]", str(key_slots));
}

nlohmann::json ProcessingConfig::to_json() const {
  return {{"kind", kind},           {"device", device},
          {"batch", batch},         {"linger_ms", linger_ms},
          {"threads", threads},     {"window_ms", window_ms},
          {"key_slots", key_slots}, {"keep_results", keep_results}};
}

ProcessingConfig ProcessingConfig::from_json(const nlohmann::json& j) {
  ProcessingConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw std::invalid_argument("processing must be an object");
  for (const auto& item : j.items()) {
    // Not structured bindings: clang 14 cannot capture those in `want`.
    const std::string& key = item.key();
    const nlohmann::json& v = item.value();
    auto want = [&](bool ok, const char* type) {
      if (!ok) bad(key, type, v.dump());
    };
    if (key == "kind") {
      want(v.is_string(), "a string");
      c.kind = v.get<std::string>();
    } else if (key == "device") {
      want(v.is_string(), "a string");
      c.device = v.get<std::string>();
    } else if (key == "batch") {
      want(v.is_number_integer(), "an integer");
      c.batch = v.get<int>();
    } else if (key == "linger_ms") {
      want(v.is_number(), "a number");
      c.linger_ms = v.get<double>();
    } else if (key == "threads") {
      want(v.is_number_integer(), "an integer");
      c.threads = v.get<int>();
    } else if (key == "window_ms") {
      want(v.is_number_integer(), "an integer");
      c.window_ms = v.get<int>();
    } else if (key == "key_slots") {
      want(v.is_number_integer(), "an integer");
      c.key_slots = v.get<int>();
    } else if (key == "keep_results") {
      want(v.is_boolean(), "true or false");
      c.keep_results = v.get<bool>();
    } else {
      throw std::invalid_argument(
          "processing." + key +
          " is not a processing key (allowed: kind, device, batch, linger_ms, threads, "
          "window_ms, key_slots, keep_results)");
    }
  }
  c.validate();
  return c;
}

namespace proc {
Kind parse_kind(const std::string& kind) {
  if (kind == "window-agg") return Kind::kWindowAgg;
  if (kind == "zscore") return Kind::kZScore;
  if (kind == "mlp") return Kind::kMlp;
  return Kind::kNone;
}
}  // namespace proc

}  // namespace hydra
