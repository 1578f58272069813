#include "common/protocol.h"

#include <array>
#include <set>

#include "common/settings.h"

namespace hydra::proto {
namespace {

constexpr std::array<std::pair<Command, const char*>, 9> kCommands{{
    {Command::kPing, "ping"},
    {Command::kConfigure, "configure"},
    {Command::kStart, "start"},
    {Command::kStop, "stop"},
    {Command::kStatus, "status"},
    {Command::kStats, "stats"},
    {Command::kReset, "reset"},
    {Command::kShutdown, "shutdown"},
    {Command::kCrash, "crash"},
}};

// Typed field readers that name the field when it is wrong.
template <typename T>
T field(const nlohmann::json& j, const char* name, T fallback, const char* what) {
  if (!j.contains(name)) return fallback;
  try {
    return j.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw ProtocolError(std::string("config.") + name + ": must be " + what + " (got " +
                        j.at(name).dump() + ")");
  }
}

void require(bool ok, const std::string& message) {
  if (!ok) throw ProtocolError("config." + message);
}

void reject_unknown(const nlohmann::json& j, const std::set<std::string>& known) {
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) throw ProtocolError("config." + k + ": unknown field");
}

// One knob of `role`: the config's value checked by the settings table's
// rule, or the table's default when the config leaves it out.
settings::json knob_value(settings::Role role, const nlohmann::json& j, const std::string& wire) {
  const settings::Setting* s = settings::find_wire(role, wire);
  if (!s) throw std::logic_error("config knob \"" + wire + "\" is not in the settings table");
  if (!j.contains(wire)) return s->default_value;
  const settings::json given(j.at(wire));
  try {
    if (s->type != "object") return s->rule.check(given);
    // librdkafka property maps: name the property, not just the map.
    require(given.is_object(), wire + ": must be " + s->rule.allowed);
    settings::json out = settings::json::object();
    for (const auto& [name, value] : given.items()) {
      try {
        out[name] = settings::kafka_value_rule().check(value);
      } catch (const settings::Invalid& e) {
        throw ProtocolError("config." + wire + "." + name + ": " + e.what());
      }
    }
    return out;
  } catch (const settings::Invalid& e) {
    throw ProtocolError("config." + wire + ": " + e.what());
  }
}

// Fills the knobs of a config struct from `j`.
template <typename Config>
void read_knobs(settings::Role role, const nlohmann::json& j, Config& c) {
  Config::knobs(c, [&](const char* wire, auto& member) {
    member = knob_value(role, j, wire).template get<std::decay_t<decltype(member)>>();
  });
}

// The wire names a config struct takes: its own fields and its knobs.
template <typename Config>
std::set<std::string> known_fields(std::initializer_list<const char*> own) {
  std::set<std::string> known(own.begin(), own.end());
  Config c;
  Config::knobs(c, [&](const char* wire, auto&) { known.insert(wire); });
  return known;
}

}  // namespace

const char* command_name(Command c) {
  for (const auto& [cmd, name] : kCommands)
    if (cmd == c) return name;
  return "?";
}

Request parse_request(std::string_view frame) {
  nlohmann::json j = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw ProtocolError("malformed request: not JSON");
  if (!j.is_object()) throw ProtocolError("malformed request: not a JSON object");
  if (!j.contains("cmd") || !j["cmd"].is_string())
    throw ProtocolError("malformed request: missing string field \"cmd\"");
  const auto name = j["cmd"].get<std::string>();
  for (const auto& [cmd, n] : kCommands)
    if (name == n) return Request{cmd, std::move(j)};
  throw ProtocolError(
      "unknown command \"" + name +
      "\" (allowed: ping, configure, start, stop, status, stats, reset, shutdown, crash)");
}

std::string make_request(Command c, nlohmann::json body) {
  if (!body.is_object()) body = nlohmann::json::object();
  body["cmd"] = command_name(c);
  return body.dump();
}

std::string ok_reply(nlohmann::json body) {
  if (!body.is_object()) body = nlohmann::json::object();
  body["ok"] = true;
  return body.dump();
}

std::string error_reply(std::string_view message) {
  return nlohmann::json{{"ok", false}, {"error", std::string(message)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* state_name(AgentState s) {
  switch (s) {
    case AgentState::kIdle:
      return "idle";
    case AgentState::kConfigured:
      return "configured";
    case AgentState::kRunning:
      return "running";
    case AgentState::kStopped:
      return "stopped";
    case AgentState::kFailed:
      return "failed";
  }
  return "?";
}

nlohmann::json PublisherConfig::to_json() const {
  nlohmann::json j = {{"driver", driver},
                      {"bootstrap", bootstrap},
                      {"topic", topic},
                      {"producer_id", producer_id},
                      {"max_run_s", max_run_s}};
  knobs(*this, [&](const char* wire, const auto& member) { j[wire] = member; });
  return j;
}

PublisherConfig PublisherConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw ProtocolError("config: must be an object");
  static const auto known =
      known_fields<PublisherConfig>({"driver", "bootstrap", "topic", "producer_id", "max_run_s"});
  reject_unknown(j, known);
  PublisherConfig c;
  c.driver = field<std::string>(j, "driver", c.driver, "a driver name");
  c.bootstrap = field<std::string>(j, "bootstrap", "", "a string host:port,...");
  require(!c.bootstrap.empty(), "bootstrap: required (host:port,...)");
  c.topic = field<std::string>(j, "topic", c.topic, "a string");
  require(!c.topic.empty(), "topic: must not be empty");
  c.producer_id = field<uint32_t>(j, "producer_id", c.producer_id, "an unsigned integer");
  c.max_run_s = field<double>(j, "max_run_s", c.max_run_s, "a number (s)");
  require(c.max_run_s > 0, "max_run_s: must be > 0");
  read_knobs(settings::Role::kPublisher, j, c);
  const int sensor_min = settings::kHeaderSize + settings::kSensorRecordSize;
  for (const auto& [on, wire] :
       {std::pair{c.idempotent, "idempotent"}, std::pair{c.transactional, "transactional"}})
    require(!on || c.acks == "all",
            std::string(wire) + ": true needs acks \"all\" (got \"" + c.acks + "\")");
  require(c.payload != "sensor" || c.encoding != "binary" || c.message_size >= sensor_min,
          "message_size: must be >= " + std::to_string(sensor_min) +
              " with payload \"sensor\" (header + sensor record)");
  require(c.key_distribution == "round-robin" || c.keys >= 1,
          "key_distribution: \"" + c.key_distribution + "\" needs keys >= 1");
  require(c.payload != "file" || !c.payload_file.empty(),
          "payload_file: required with payload \"file\"");
  return c;
}

nlohmann::json SubscriberConfig::to_json() const {
  nlohmann::json j = {{"driver", driver},
                      {"bootstrap", bootstrap},
                      {"topic", topic},
                      {"clients", clients},
                      {"first_client_id", first_client_id},
                      {"group_prefix", group_prefix},
                      {"group_members", group_members},
                      {"read_committed", read_committed},
                      {"processing", processing}};
  knobs(*this, [&](const char* wire, const auto& member) { j[wire] = member; });
  return j;
}

SubscriberConfig SubscriberConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw ProtocolError("config: must be an object");
  static const auto known = known_fields<SubscriberConfig>(
      {"driver", "bootstrap", "topic", "clients", "first_client_id", "group_prefix",
       "group_members", "read_committed", "processing"});
  reject_unknown(j, known);
  SubscriberConfig c;
  c.driver = field<std::string>(j, "driver", c.driver, "a driver name");
  c.bootstrap = field<std::string>(j, "bootstrap", "", "a string host:port,...");
  require(!c.bootstrap.empty(), "bootstrap: required (host:port,...)");
  c.topic = field<std::string>(j, "topic", c.topic, "a string");
  require(!c.topic.empty(), "topic: must not be empty");
  c.clients = field<int>(j, "clients", c.clients, "an integer");
  require(c.clients >= 1 && c.clients <= settings::kMaxClientsPerAgent,
          "clients: must be 1.." + std::to_string(settings::kMaxClientsPerAgent));
  c.first_client_id = field<int>(j, "first_client_id", c.first_client_id, "an integer");
  require(c.first_client_id >= 0, "first_client_id: must be >= 0");
  c.group_prefix = field<std::string>(j, "group_prefix", c.group_prefix, "a string");
  c.group_members = field<int>(j, "group_members", c.group_members, "an integer");
  require(c.group_members >= 1, "group_members: must be >= 1");
  c.read_committed = field<bool>(j, "read_committed", c.read_committed, "true or false");
  read_knobs(settings::Role::kSubscriber, j, c);
  require(c.groups == "shared" || c.group_members == 1,
          "group_members: must be 1 unless groups is \"shared\"");
  require(c.groups == "shared" || c.commit == "auto",
          "commit: \"" + c.commit + "\" needs groups \"shared\" (other groups never commit)");
  if (j.contains("processing") && !j["processing"].is_null()) {
    require(j["processing"].is_object(), "processing: must be an object");
    c.processing = j["processing"];
    // The scenario's processing knobs obey the same rules here; other keys
    // (the processing stage's own, e.g. key_slots) are left to it.
    for (auto it = c.processing.begin(); it != c.processing.end(); ++it) {
      const settings::Setting* s = settings::find_wire(settings::Role::kProcessing, it.key());
      if (!s) continue;
      try {
        it.value() = nlohmann::json(s->rule.check(settings::json(it.value())));
      } catch (const settings::Invalid& e) {
        throw ProtocolError("config.processing." + it.key() + ": " + e.what());
      }
    }
  }
  return c;
}

nlohmann::json windows_to_json(const std::vector<ProducerWindow>& w) {
  auto a = nlohmann::json::array();
  for (const auto& pw : w) a.push_back(pw.to_json());
  return a;
}

std::vector<ProducerWindow> windows_from_json(const nlohmann::json& j) {
  if (!j.is_array()) throw ProtocolError("window: must be an array of producer windows");
  std::vector<ProducerWindow> w;
  try {
    for (const auto& e : j) w.push_back(ProducerWindow::from_json(e));
  } catch (const std::exception& e) {
    throw ProtocolError(std::string("window: malformed (") + e.what() + ")");
  }
  return w;
}

}  // namespace hydra::proto
