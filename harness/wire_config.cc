// The knobs of each role are copied from the step's resolved scenario under
// the wire names of the settings table (common/settings.h), so a new knob
// needs no line here; only what the step adds (where to connect, unique
// names, safety bounds) is written by hand. The result goes through the
// agent's own from_json, so the controller checks what the agent will check.
#include "harness/wire_config.h"

#include "common/settings.h"

namespace hydra {
namespace {

// The step's value of every setting of `role`, by wire name.
nlohmann::json wire_section(const Scenario& sc, settings::Role role) {
  nlohmann::json out = nlohmann::json::object();
  for (const settings::Setting& s : settings::all()) {
    if (s.role == role) out[s.wire] = nlohmann::json(scenario_value(sc, s.key));
  }
  return out;
}

// The role's librdkafka properties: the cluster's (broker.kafka: security
// and the like, which every client needs) with the role's own over them.
void add_cluster_properties(nlohmann::json& j, const Scenario& sc) {
  nlohmann::json props = nlohmann::json::object();
  for (const auto& [k, v] : sc.broker.kafka) props[k] = v;
  const nlohmann::json own = j.value("kafka", nlohmann::json::object());
  for (const auto& [k, v] : own.items()) props[k] = v;
  j["kafka"] = std::move(props);
}

}  // namespace

proto::PublisherConfig publisher_wire_config(const Scenario& sc, const WireTarget& target) {
  nlohmann::json j = wire_section(sc, settings::Role::kPublisher);
  j["bootstrap"] = target.bootstrap;
  j["topic"] = target.topic;
  j["producer_id"] = target.producer_id;
  add_cluster_properties(j, sc);
  // Safety bound: a publisher whose controller vanished stops by itself.
  j["max_run_s"] = sc.warmup_s + sc.duration_s + sc.drain_timeout_s + 120;
  return proto::PublisherConfig::from_json(j);
}

proto::SubscriberConfig subscriber_wire_config(const Scenario& sc, const WireTarget& target,
                                               int first_client, int clients) {
  nlohmann::json j = wire_section(sc, settings::Role::kSubscriber);
  j["bootstrap"] = target.bootstrap;
  j["topic"] = target.topic;
  j["clients"] = clients;
  j["first_client_id"] = first_client;
  j["group_prefix"] = target.group_prefix;
  add_cluster_properties(j, sc);
  // A shared group's members are whole in one agent (the scenario's rule), so
  // the agent only needs the group size to tell its groups apart.
  if (sc.subscribers.shared()) j["group_members"] = sc.subscribers.group_members();
  // A transactional publisher's messages are read once committed.
  j["read_committed"] = sc.publisher.transactional;
  if (sc.subscribers.processing.kind != "none") {
    j["processing"] = wire_section(sc, settings::Role::kProcessing);
  }
  // librdkafka's mock cluster answers an empty fetch only after the full
  // fetch.wait.max.ms (it does not wake a waiting fetch on new data), so
  // against it the consumers wait at most 10 ms, unless the user says
  // otherwise. Hydra's own broker and real clusters wake a waiting fetch on
  // the append, so there librdkafka's default applies.
  if (sc.broker.embedded() && sc.broker.embedded_kind == "mock" &&
      !j["kafka"].contains("fetch.wait.max.ms")) {
    j["kafka"]["fetch.wait.max.ms"] = "10";
  }
  return proto::SubscriberConfig::from_json(j);
}

}  // namespace hydra
