#include "harness/step_result.h"

namespace hydra {

nlohmann::json StepResult::to_json() const {
  nlohmann::json j;
  j["step"] = step;
  j["repeat"] = repeat;
  auto sw = nlohmann::json::object();
  for (const auto& [k, v] : swept) sw[k] = nlohmann::json::parse(v.dump());
  j["swept"] = sw;
  j["client_count"] = client_count;
  j["msg_rate"] = msg_rate;
  j["duration_s"] = duration_s;
  j["measured_s"] = measured_s;
  j["processing_device"] = processing_device;
  j["note"] = note;
  j["status"] = status;
  j["error"] = error;
  j["publisher_ok"] = publisher_ok;
  j["publisher"] = publisher.to_json();
  j["window"] = window.to_json();
  // The window's messages per partition (sent = until - from) and their
  // shares: where the keys put them (columns max_partition_share,
  // hot_partitions).
  auto parts = nlohmann::json::array();
  const uint64_t total = window.size();
  for (const auto& [partition, until] : window.until) {
    const auto from = window.from.find(partition);
    const uint64_t start = from == window.from.end() ? 0 : from->second;
    const uint64_t sent = until > start ? until - start : 0;
    parts.push_back(
        {{"partition", partition},
         {"sent", sent},
         {"share", total ? nlohmann::json(double(sent) / double(total)) : nlohmann::json()}});
  }
  j["partitions"] = parts;
  auto slow = nlohmann::json::array();
  for (const auto& c : clients)
    if (c.slow) slow.push_back(c.client_id);
  j["slow_clients"] = slow;
  j["publisher_usage"] = publisher_usage.to_json();
  auto clients_j = nlohmann::json::array();
  for (const auto& c : clients) clients_j.push_back(c.to_json());
  j["clients"] = clients_j;
  j["unanswered_clients"] = unanswered_clients;
  auto subs = nlohmann::json::array();
  for (const auto& u : subscriber_usage) subs.push_back(u.to_json());
  j["subscriber_usage"] = subs;
  j["controller_usage"] = controller_usage.to_json();
  return j;
}

}  // namespace hydra
