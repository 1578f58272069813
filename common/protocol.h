// The control protocol between controller and agents (ZeroMQ REQ/REP, JSON),
// fixed by docs/contracts.md: request {"cmd": NAME, ...}, reply {"ok": true, ...} or
// {"ok": false, "error": "..."}. This header is the one place that names the
// commands, the configuration each role takes and the reply shapes.
//
// Commands (all but shutdown and crash idempotent):
//   ping                         -> {ok, role, version, pid, state}
//   configure {config: {...}}    -> {ok}            (not while running)
//   start                        -> {ok}            (needs configure)
//   stop                         -> {ok, window?}   publisher: the measured window
//   status                       -> {ok, state, ready, clients, clients_ready, error}
//   stats {window?: [...]}       -> {ok, role, usage, publisher | clients}
//   reset {window?: [...]}       -> {ok, window?}   publisher: window starts
//         publisher {series_s?: N} -> {..., series?: {from_ns, seconds}}
//         subscriber {series?: {from_ns, seconds}}: per-second counts
//         subscriber {throttle: msg/s}: only throttles its clients (0: lifts)
//   crash {client: id}           -> {ok}            subscriber: a shared group's member
//                                                   crashes and rejoins (fault injection)
//   shutdown                     -> {ok}, then the agent exits
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/stats.h"

namespace hydra::proto {

inline constexpr int kProtocolVersion = 1;

// A request or configuration the agent must refuse; the message names the
// field and what is allowed.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Command { kPing, kConfigure, kStart, kStop, kStatus, kStats, kReset, kShutdown, kCrash };
const char* command_name(Command c);

struct Request {
  Command cmd = Command::kPing;
  nlohmann::json body;  // the whole request object
};

// Parses a request frame. Throws ProtocolError on anything but a JSON object
// with a known string "cmd".
Request parse_request(std::string_view frame);

std::string make_request(Command c, nlohmann::json body = nlohmann::json::object());
std::string ok_reply(nlohmann::json body = nlohmann::json::object());
std::string error_reply(std::string_view message);

// Agent lifecycle, as reported by status.
enum class AgentState { kIdle, kConfigured, kRunning, kStopped, kFailed };
const char* state_name(AgentState s);

// librdkafka properties passed through verbatim (name -> value).
using KafkaProps = std::map<std::string, std::string>;

// What the publisher agent is told by configure. The scenario knobs (those
// listed by `knobs()`) take their rules and defaults from the settings table
// (common/settings.h) by wire name; the rest is what the step adds.
struct PublisherConfig {
  std::string driver = "kafka";  // messaging driver by name (agents/driver_registry.h)
  std::string bootstrap;         // host:port,...
  std::string topic = "hydra";
  int partitions = 1;        // the publisher chooses each message's partition
  uint32_t producer_id = 0;  // stamped into every header
  double rate = 2000;        // msg/s; 0 = as fast as possible
  int message_size = 100;    // bytes, header included
  int msg_batch = 100;       // messages sent between client-library polls
  std::string acks = "1";    // "0", "1" or "all"
  double linger_ms = 5;
  std::string payload = "random";   // random, sensor, cpu, order or file (common/payload.h)
  std::string encoding = "binary";  // binary, json, cbor or msgpack
  double compressibility = 0;       // random: the fraction of the body that is zeros
  std::string payload_file;         // file: its lines are the bodies
  int keys = 0;                     // 0: unkeyed round robin; N: keyed over N keys
  bool idempotent = false;          // librdkafka enable.idempotence
  bool transactional = false;       // messages in transactions (a transactional.id)
  std::string key_distribution = "round-robin";  // common/keys.h
  double key_exponent = 1;
  double key_hot_fraction = 0.5;
  int64_t key_seed = 1;
  double max_run_s = 3600;  // safety bound: the publisher stops itself after this
  KafkaProps kafka;         // extra librdkafka properties

  // Each scenario knob with its wire name, for from_json and to_json.
  template <typename Self, typename Visit>
  static void knobs(Self& c, Visit&& v) {
    v("partitions", c.partitions), v("rate", c.rate), v("message_size", c.message_size);
    v("msg_batch", c.msg_batch), v("acks", c.acks), v("linger_ms", c.linger_ms);
    v("payload", c.payload), v("keys", c.keys), v("kafka", c.kafka);
    v("idempotent", c.idempotent), v("transactional", c.transactional);
    v("encoding", c.encoding), v("compressibility", c.compressibility);
    v("payload_file", c.payload_file), v("key_distribution", c.key_distribution);
    v("key_exponent", c.key_exponent), v("key_hot_fraction", c.key_hot_fraction);
    v("key_seed", c.key_seed);
  }

  nlohmann::json to_json() const;
  // Validates every field; throws ProtocolError naming the first bad one.
  static PublisherConfig from_json(const nlohmann::json& j);
};

// What a subscriber agent is told by configure (knobs as for PublisherConfig;
// the processing block's fields are checked against the table too).
struct SubscriberConfig {
  std::string driver = "kafka";  // messaging driver by name (agents/driver_registry.h)
  std::string bootstrap;
  std::string topic = "hydra";
  int clients = 1;                     // subscriber clients this agent hosts
  int first_client_id = 0;             // ids are first_client_id .. +clients-1
  std::string groups = "per-client";   // see subscribers.groups
  std::string group_prefix = "hydra";  // consumer group ids start with this
  // groups "shared": members per group. Client id c is a member of group
  // c / group_members (group id "<group_prefix>-g<index>"); the controller
  // places whole groups in one agent.
  int group_members = 1;
  std::string commit = "auto";         // see subscribers.commit
  bool read_committed = false;         // isolation.level read_committed (transactional publisher)
  KafkaProps kafka;                    // extra librdkafka properties
  nlohmann::json processing;           // processing stage ({kind, device, ...}); null = none
  bool decode = false;                 // decode every body (subscribers.decode)
  double slow_fraction = 0;            // of all clients, by id (common/slow_clients.h)
  double slow_rate = 100;              // msg/s a slow client reads at most

  template <typename Self, typename Visit>
  static void knobs(Self& c, Visit&& v) {
    v("groups", c.groups), v("kafka", c.kafka), v("commit", c.commit);
    v("decode", c.decode), v("slow_fraction", c.slow_fraction), v("slow_rate", c.slow_rate);
  }

  nlohmann::json to_json() const;
  static SubscriberConfig from_json(const nlohmann::json& j);
};

// Windows travel as a list, one entry per producer.
nlohmann::json windows_to_json(const std::vector<ProducerWindow>& w);
std::vector<ProducerWindow> windows_from_json(const nlohmann::json& j);

}  // namespace hydra::proto
