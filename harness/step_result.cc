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
  j["publisher_usage"] = publisher_usage.to_json();
  auto clients_j = nlohmann::json::array();
  for (const auto& c : clients) clients_j.push_back(c.to_json());
  j["clients"] = clients_j;
  j["unanswered_clients"] = unanswered_clients;
  auto subs = nlohmann::json::array();
  for (const auto& u : subscriber_usage) subs.push_back(u.to_json());
  j["subscriber_usage"] = subs;
  j["controller_usage"] = controller_usage.to_json();
  j["host_count"] = host_count;
  if (!hosts.is_null()) j["hosts"] = hosts;
  if (!hosts_clock.is_null()) j["hosts_clock"] = hosts_clock;
  return j;
}

}  // namespace hydra
