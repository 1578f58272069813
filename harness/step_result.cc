#include "harness/step_result.h"

namespace hydra {

nlohmann::json GroupResult::to_json() const {
  return {{"group", group},
          {"group_id", group_id},
          {"members", members},
          {"assignment", assignment},
          {"idle_members", idle_members},
          {"rebalances", rebalances},
          {"rebalance_pause_ms", rebalance_pause_ms},
          {"rebalance_pause_max_ms", rebalance_pause_max_ms},
          {"stats", stats.to_json()}};
}

GroupResult GroupResult::from_json(const nlohmann::json& j) {
  GroupResult g;
  g.group = j.at("group").get<int>();
  g.group_id = j.value("group_id", std::string());
  g.members = j.at("members").get<std::vector<int>>();
  g.stats = ClientStats::from_json(j.at("stats"));
  g.assignment = j.value("assignment", nlohmann::json::object());
  g.idle_members = j.value("idle_members", 0);
  g.rebalances = j.value("rebalances", 0);
  g.rebalance_pause_ms = j.value("rebalance_pause_ms", 0.0);
  g.rebalance_pause_max_ms = j.value("rebalance_pause_max_ms", 0.0);
  return g;
}

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
  if (windows.size() > 1) {
    auto ws = nlohmann::json::array();
    for (const auto& w : windows) ws.push_back(w.to_json());
    j["windows"] = ws;
  }
  if (!publishers.is_null()) j["publishers"] = publishers;
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
  if (group_count > 0) {
    j["group_count"] = group_count;
    j["group_members"] = group_members;
    auto gs = nlohmann::json::array();
    for (const auto& g : groups) gs.push_back(g.to_json());
    j["groups"] = gs;
  }
  auto subs = nlohmann::json::array();
  for (const auto& u : subscriber_usage) subs.push_back(u.to_json());
  j["subscriber_usage"] = subs;
  j["controller_usage"] = controller_usage.to_json();
  if (!faults.is_null()) j["faults"] = faults;
  j["host_count"] = host_count;
  if (!hosts.is_null()) j["hosts"] = hosts;
  if (!hosts_clock.is_null()) j["hosts_clock"] = hosts_clock;
  if (!partition_lag.is_null()) j["partition_lag"] = partition_lag;
  return j;
}

}  // namespace hydra
