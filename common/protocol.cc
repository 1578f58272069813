#include "common/protocol.h"

#include <array>
#include <set>

namespace hydra::proto {
namespace {

constexpr std::array<std::pair<Command, const char*>, 8> kCommands{{
    {Command::kPing, "ping"},
    {Command::kConfigure, "configure"},
    {Command::kStart, "start"},
    {Command::kStop, "stop"},
    {Command::kStatus, "status"},
    {Command::kStats, "stats"},
    {Command::kReset, "reset"},
    {Command::kShutdown, "shutdown"},
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

KafkaProps props(const nlohmann::json& j, const char* name) {
  KafkaProps p;
  if (!j.contains(name)) return p;
  const auto& o = j.at(name);
  require(o.is_object(), std::string(name) + ": must be an object of librdkafka properties");
  for (const auto& [k, v] : o.items()) {
    if (v.is_string())
      p[k] = v.get<std::string>();
    else if (v.is_number() || v.is_boolean())
      p[k] = v.dump();
    else
      throw ProtocolError(std::string("config.") + name + "." + k +
                          ": must be a string, number or boolean");
  }
  return p;
}

void reject_unknown(const nlohmann::json& j, const std::set<std::string>& known) {
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) throw ProtocolError("config." + k + ": unknown field");
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
  throw ProtocolError("unknown command \"" + name +
                      "\" (allowed: ping, configure, start, stop, status, stats, reset, shutdown)");
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
  return {{"driver", driver},
          {"bootstrap", bootstrap},
          {"topic", topic},
          {"partitions", partitions},
          {"producer_id", producer_id},
          {"rate", rate},
          {"message_size", message_size},
          {"msg_batch", msg_batch},
          {"acks", acks},
          {"linger_ms", linger_ms},
          {"payload", payload},
          {"keys", keys},
          {"max_run_s", max_run_s},
          {"kafka", kafka}};
}

PublisherConfig PublisherConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw ProtocolError("config: must be an object");
  reject_unknown(
      j, {"driver", "bootstrap", "topic", "partitions", "producer_id", "rate", "message_size",
          "msg_batch", "acks", "linger_ms", "payload", "keys", "max_run_s", "kafka"});
  PublisherConfig c;
  c.driver = field<std::string>(j, "driver", c.driver, "a driver name");
  c.bootstrap = field<std::string>(j, "bootstrap", "", "a string host:port,...");
  require(!c.bootstrap.empty(), "bootstrap: required (host:port,...)");
  c.topic = field<std::string>(j, "topic", c.topic, "a string");
  require(!c.topic.empty(), "topic: must not be empty");
  c.partitions = field<int>(j, "partitions", c.partitions, "an integer");
  require(c.partitions >= 1, "partitions: must be >= 1");
  c.producer_id = field<uint32_t>(j, "producer_id", c.producer_id, "an unsigned integer");
  c.rate = field<double>(j, "rate", c.rate, "a number (msg/s)");
  require(c.rate >= 0, "rate: must be >= 0 (0 = as fast as possible)");
  c.message_size = field<int>(j, "message_size", c.message_size, "an integer (bytes)");
  require(c.message_size >= 40, "message_size: must be >= 40 (the header size)");
  require(c.message_size <= 100'000'000, "message_size: must be <= 100000000");
  c.msg_batch = field<int>(j, "msg_batch", c.msg_batch, "an integer");
  require(c.msg_batch >= 1, "msg_batch: must be >= 1");
  if (j.contains("acks") && j["acks"].is_number_integer())
    c.acks = j["acks"].get<int>() == -1 ? "all" : std::to_string(j["acks"].get<int>());
  else
    c.acks = field<std::string>(j, "acks", c.acks, "0, 1, -1 or \"all\"");
  if (c.acks == "-1") c.acks = "all";
  require(c.acks == "0" || c.acks == "1" || c.acks == "all",
          "acks: must be 0, 1, -1 or \"all\" (got " + c.acks + ")");
  c.linger_ms = field<double>(j, "linger_ms", c.linger_ms, "a number (ms)");
  require(c.linger_ms >= 0, "linger_ms: must be >= 0");
  c.payload = field<std::string>(j, "payload", c.payload, "\"random\" or \"sensor\"");
  require(c.payload == "random" || c.payload == "sensor",
          "payload: must be \"random\" or \"sensor\" (got \"" + c.payload + "\")");
  require(c.payload != "sensor" || c.message_size >= 104,
          "message_size: must be >= 104 with payload \"sensor\" (header + sensor record)");
  c.keys = field<int>(j, "keys", c.keys, "an integer");
  require(c.keys >= 0, "keys: must be >= 0");
  c.max_run_s = field<double>(j, "max_run_s", c.max_run_s, "a number (s)");
  require(c.max_run_s > 0, "max_run_s: must be > 0");
  c.kafka = props(j, "kafka");
  return c;
}

nlohmann::json SubscriberConfig::to_json() const {
  return {{"driver", driver},
          {"bootstrap", bootstrap},
          {"topic", topic},
          {"clients", clients},
          {"first_client_id", first_client_id},
          {"groups", groups},
          {"group_prefix", group_prefix},
          {"kafka", kafka},
          {"processing", processing}};
}

SubscriberConfig SubscriberConfig::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw ProtocolError("config: must be an object");
  reject_unknown(j, {"driver", "bootstrap", "topic", "clients", "first_client_id", "groups",
                     "group_prefix", "kafka", "processing"});
  SubscriberConfig c;
  c.driver = field<std::string>(j, "driver", c.driver, "a driver name");
  c.bootstrap = field<std::string>(j, "bootstrap", "", "a string host:port,...");
  require(!c.bootstrap.empty(), "bootstrap: required (host:port,...)");
  c.topic = field<std::string>(j, "topic", c.topic, "a string");
  require(!c.topic.empty(), "topic: must not be empty");
  c.clients = field<int>(j, "clients", c.clients, "an integer");
  require(c.clients >= 1 && c.clients <= 10000, "clients: must be 1..10000");
  c.first_client_id = field<int>(j, "first_client_id", c.first_client_id, "an integer");
  require(c.first_client_id >= 0, "first_client_id: must be >= 0");
  c.groups = field<std::string>(j, "groups", c.groups, "\"per-client\" or \"shared\"");
  require(c.groups == "per-client" || c.groups == "shared",
          "groups: must be \"per-client\" or \"shared\" (got \"" + c.groups + "\")");
  c.group_prefix = field<std::string>(j, "group_prefix", c.group_prefix, "a string");
  c.kafka = props(j, "kafka");
  if (j.contains("processing") && !j["processing"].is_null()) {
    require(j["processing"].is_object(), "processing: must be an object");
    c.processing = j["processing"];
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
