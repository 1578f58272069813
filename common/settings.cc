// The settings table and the rules its rows use. A rule's `allowed` text is
// both the error message and the README's "rule" column, so they cannot drift.
#include "common/settings.h"

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <sstream>

#include "common/message_header.h"

namespace hydra::settings {
namespace {

static_assert(kHeaderSize == static_cast<int>(MessageHeader::kSize),
              "the scenario rules use the message header size");

std::string got(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return "(got " + s + ")";
}

std::string quote(const std::string& s) {
  return json(s).dump();
}

// Whole numbers stay JSON integers so that 1000 prints as 1000, not 1000.0.
json normalize_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) return json(static_cast<int64_t>(d));
  return json(d);
}

[[noreturn]] void refuse(const std::string& allowed, const json& v) {
  throw Invalid("must be " + allowed + " " + got(v));
}

Rule integer(int64_t lo, int64_t hi = INT_MAX, const std::string& why = {}) {
  std::string allowed = hi == INT_MAX
                            ? "an integer >= " + std::to_string(lo)
                            : "an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
  if (!why.empty()) allowed += "; " + why;
  return {allowed, [allowed, lo, hi](const json& v) {
            if (!v.is_number()) refuse(allowed, v);
            const double d = v.get<double>();
            if (std::floor(d) != d || d < double(lo) || d > double(hi)) refuse(allowed, v);
            return json(static_cast<int64_t>(d));
          }};
}

// A number > lo (strict) or >= lo.
Rule number(double lo, bool strict) {
  std::string allowed =
      std::string("a number ") + (strict ? "> " : ">= ") + normalize_number(lo).dump();
  return {allowed, [allowed, lo, strict](const json& v) {
            if (!v.is_number()) refuse(allowed, v);
            const double d = v.get<double>();
            if (strict ? d <= lo : d < lo) refuse(allowed, v);
            return normalize_number(d);
          }};
}

Rule one_of(std::initializer_list<const char*> choices) {
  std::vector<std::string> names(choices.begin(), choices.end());
  std::string allowed = "one of ";
  for (size_t i = 0; i < names.size(); ++i) allowed += (i ? ", " : "") + quote(names[i]);
  return {allowed, [names, allowed](const json& v) {
            if (!v.is_string() ||
                std::find(names.begin(), names.end(), v.get<std::string>()) == names.end()) {
              refuse(allowed, v);
            }
            return v;
          }};
}

Rule boolean() {
  return {"true or false", [](const json& v) {
            if (!v.is_boolean()) refuse("true or false", v);
            return v;
          }};
}

// A number in lo..hi (both included).
Rule number_in(double lo, double hi) {
  std::string allowed =
      "a number in " + normalize_number(lo).dump() + ".." + normalize_number(hi).dump();
  return {allowed, [allowed, lo, hi](const json& v) {
            if (!v.is_number()) refuse(allowed, v);
            const double d = v.get<double>();
            if (!(d >= lo && d <= hi)) refuse(allowed, v);
            return normalize_number(d);
          }};
}

Rule any_string(const std::string& allowed) {
  return {allowed, [allowed](const json& v) {
            if (!v.is_string()) refuse(allowed, v);
            return v;
          }};
}

bool safe_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Names that become folder or topic names: [A-Za-z0-9._-], not "." or "..".
Rule safe_name(size_t max_len) {
  std::string allowed = "a non-empty string of letters, digits, '.', '_' and '-', at most " +
                        std::to_string(max_len) + " characters";
  return {allowed, [allowed, max_len](const json& v) {
            if (!v.is_string()) refuse(allowed, v);
            const auto& s = v.get_ref<const std::string&>();
            if (s.empty() || s.size() > max_len || s == "." || s == ".." ||
                !std::all_of(s.begin(), s.end(), safe_name_char)) {
              refuse(allowed, v);
            }
            return v;
          }};
}

// "host:port[,host:port...]", as librdkafka's bootstrap.servers takes it.
Rule bootstrap() {
  const std::string allowed = "\"host:port[,host:port...]\"";
  return {allowed, [allowed](const json& v) {
            if (!v.is_string()) refuse(allowed, v);
            std::stringstream in(v.get<std::string>());
            std::string entry;
            int entries = 0;
            while (std::getline(in, entry, ',')) {
              const size_t colon = entry.rfind(':');
              const std::string port = colon == std::string::npos ? "" : entry.substr(colon + 1);
              const bool ok = colon != std::string::npos && colon > 0 && !port.empty() &&
                              port.size() <= 5 &&
                              std::all_of(port.begin(), port.end(),
                                          [](char c) { return c >= '0' && c <= '9'; }) &&
                              std::stoi(port) >= 1 && std::stoi(port) <= 65535 &&
                              entry.find_first_of(" \t") == std::string::npos;
              if (!ok) refuse(allowed, v);
              ++entries;
            }
            if (entries == 0 || v.get<std::string>().back() == ',') refuse(allowed, v);
            return v;
          }};
}

// acks: 0, 1, -1 or "all" (also as strings); stored as "0", "1" or "all".
Rule acks() {
  const std::string allowed = "0, 1, -1 or \"all\"";
  return {allowed, [allowed](const json& v) {
            if (v.is_number_integer()) {
              const auto n = v.get<int64_t>();
              if (n == 0 || n == 1) return json(std::to_string(n));
              if (n == -1) return json("all");
            } else if (v.is_string()) {
              const auto& s = v.get_ref<const std::string&>();
              if (s == "0" || s == "1" || s == "all") return json(s);
              if (s == "-1") return json("all");
            }
            refuse(allowed, v);
          }};
}

// One librdkafka property value: string, number or boolean, kept as text.
json kafka_text(const json& v) {
  if (v.is_string()) return v;
  if (v.is_boolean()) return json(v.get<bool>() ? "true" : "false");
  if (v.is_number()) return json(v.dump());
  refuse("a string, number or boolean", v);
}

Rule kafka_map(const char* client) {
  std::string allowed = std::string("an object of librdkafka ") + client +
                        " properties (\"name\": value; values are strings, numbers or booleans)";
  return {allowed, [allowed](const json& v) {
            if (!v.is_object()) refuse(allowed, v);
            json out = json::object();
            for (const auto& [name, value] : v.items()) {
              if (name.empty()) throw Invalid("property names must not be empty");
              try {
                out[name] = kafka_text(value);
              } catch (const Invalid& e) {
                throw Invalid(quote(name) + " " + e.what());
              }
            }
            return out;
          }};
}

// An address a listener binds to and clients are told: an IPv4 address, no
// port; not 0.0.0.0 (clients cannot connect to it).
Rule listen_address() {
  const std::string allowed = "an IPv4 address of this host, without a port, not 0.0.0.0";
  return {allowed, [allowed](const json& v) {
            if (!v.is_string()) refuse(allowed, v);
            in_addr a{};
            const auto& s = v.get_ref<const std::string&>();
            if (s == "0.0.0.0" || inet_pton(AF_INET, s.c_str(), &a) != 1) refuse(allowed, v);
            return v;
          }};
}

Rule any_string() {
  return {"a string", [](const json& v) {
            if (!v.is_string()) refuse("a string", v);
            return v;
          }};
}

// "" or NAME:PORT (a DNS name whose A records are the agent daemons).
Rule dns_name_port() {
  const std::string allowed = "\"\" or \"NAME:PORT\" (e.g. \"hydra-agents.default.svc:7700\")";
  return {allowed, [allowed](const json& v) {
            if (!v.is_string()) refuse(allowed, v);
            const auto& s = v.get_ref<const std::string&>();
            if (s.empty()) return v;
            const size_t colon = s.rfind(':');
            const std::string port = colon == std::string::npos ? "" : s.substr(colon + 1);
            if (colon == 0 || colon == std::string::npos || port.empty() || port.size() > 5 ||
                port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
                std::stoi(port) > 65535)
              refuse(allowed, v);
            return v;
          }};
}

// agents.hosts: [{endpoint, roles?, weight?, server_key?, ssh?, serve_args?}].
Rule agent_hosts() {
  const std::string allowed =
      "an array of {\"endpoint\": \"tcp://HOST:PORT\", \"roles\": [\"pub\", \"sub\"], "
      "\"weight\": number > 0, \"server_key\", \"ssh\", \"serve_args\": [strings]} "
      "(only endpoint required)";
  return {allowed, [allowed](const json& v) {
            if (!v.is_array()) refuse(allowed, v);
            json out = json::array();
            std::vector<std::string> seen;
            for (size_t i = 0; i < v.size(); ++i) {
              const json& h = v[i];
              const std::string at = "entry " + std::to_string(i) + ": ";
              if (!h.is_object()) throw Invalid(at + "must be an object " + got(h));
              for (const auto& [k, x] : h.items()) {
                if (k != "endpoint" && k != "roles" && k != "weight" && k != "server_key" &&
                    k != "ssh" && k != "serve_args")
                  throw Invalid(at + "unknown field " + quote(k) +
                                " (allowed: endpoint, roles, weight, server_key, ssh, serve_args)");
              }
              const json ep = h.value("endpoint", json());
              const std::string e = ep.is_string() ? ep.get<std::string>() : "";
              const size_t colon = e.rfind(':');
              if (e.rfind("tcp://", 0) != 0 || colon == std::string::npos || colon < 7 ||
                  e.substr(colon + 1).empty() ||
                  e.substr(colon + 1).find_first_not_of("0123456789") != std::string::npos)
                throw Invalid(at + "endpoint must be \"tcp://HOST:PORT\" " + got(ep));
              if (std::find(seen.begin(), seen.end(), e) != seen.end())
                throw Invalid(at + "endpoint " + e + " is listed twice");
              seen.push_back(e);
              json o = json::object();
              o["endpoint"] = e;
              json roles = h.value("roles", json::array({"pub", "sub"}));
              if (!roles.is_array() || roles.empty())
                throw Invalid(at + "roles must be a non-empty array of \"pub\" and \"sub\" " +
                              got(roles));
              for (const auto& r : roles)
                if (r != "pub" && r != "sub")
                  throw Invalid(at + "roles must hold only \"pub\" and \"sub\" " + got(roles));
              o["roles"] = roles;
              const json w = h.value("weight", json(1));
              if (!w.is_number() || w.get<double>() <= 0)
                throw Invalid(at + "weight must be a number > 0 " + got(w));
              o["weight"] = normalize_number(w.get<double>());
              for (const char* k : {"server_key", "ssh"})
                if (h.contains(k)) {
                  if (!h[k].is_string() || h[k].get<std::string>().empty())
                    throw Invalid(at + k + " must be a non-empty string " + got(h[k]));
                  o[k] = h[k];
                }
              if (h.contains("serve_args")) {
                const json& a = h["serve_args"];
                bool ok = a.is_array();
                for (const auto& x : a) ok = ok && x.is_string();
                if (!ok) throw Invalid(at + "serve_args must be an array of strings " + got(a));
                o["serve_args"] = a;
              }
              out.push_back(o);
            }
            return out;
          }};
}

// publisher.generators: [{<publisher key>: value, ...}, ...], each entry a
// partial publisher section for one publisher agent. Every value is checked
// by its own setting's rule; "keys": K is the shorthand of {"count": K} as
// in the publisher section.
Rule generators() {
  const std::string allowed =
      "an array of objects, each overriding publisher keys for one publisher agent (rate, "
      "message_size, payload, encoding, keys, ...)";
  return {allowed, [allowed](const json& v) {
            if (!v.is_array()) refuse(allowed, v);
            json out = json::array();
            for (size_t i = 0; i < v.size(); ++i) {
              const std::string at = "[" + std::to_string(i) + "]";
              const json& g = v[i];
              if (!g.is_object()) throw Invalid(at, "must be an object " + got(g));
              json o = json::object();
              for (const auto& [k, x] : g.items()) {
                if (k == "keys" && !x.is_object()) {
                  // The shorthand, checked as keys.count.
                  o["keys"]["count"] = find("publisher.keys.count")->rule.check(x);
                  continue;
                }
                if (k == "keys") {
                  for (const auto& [kk, xx] : x.items()) {
                    const Setting* s = find("publisher.keys." + kk);
                    if (!s)
                      throw Invalid(at + ".keys." + kk,
                                    "unknown key (allowed: count, "
                                    "distribution, exponent, hot_fraction, seed)");
                    if (!generator_key("keys." + kk))
                      throw Invalid(at + ".keys." + kk,
                                    "is one for the whole run, not per generator");
                    try {
                      o["keys"][kk] = s->rule.check(xx);
                    } catch (const Invalid& e) {
                      throw Invalid(at + ".keys." + kk, e.what());
                    }
                  }
                  continue;
                }
                if (!generator_key(k)) {
                  std::string keys;
                  for (const Setting& s : all())
                    if (s.key.rfind("publisher.", 0) == 0 &&
                        s.key.find('.', 10) == std::string::npos && generator_key(s.key.substr(10)))
                      keys += (keys.empty() ? "" : ", ") + s.key.substr(10);
                  throw Invalid(at + "." + k,
                                "cannot be set per generator (allowed: " + keys + ", keys)");
                }
                try {
                  o[k] = find("publisher." + k)->rule.check(x);
                } catch (const Invalid& e) {
                  throw Invalid(at + "." + k, e.what());
                }
              }
              out.push_back(std::move(o));
            }
            return out;
          }};
}

// topic.config: topic-level configuration entries, as the CreateTopics
// request carries them (names and values are strings).
Rule topic_config_map() {
  const std::string allowed =
      "an object of topic configuration entries (\"retention.ms\": \"60000\", ...; numbers and "
      "booleans become strings)";
  return {allowed, [allowed](const json& v) {
            if (!v.is_object()) refuse(allowed, v);
            json out = json::object();
            for (const auto& [name, value] : v.items()) {
              if (name.empty()) throw Invalid("topic configuration names must not be empty");
              try {
                out[name] = kafka_text(value);
              } catch (const Invalid& e) {
                throw Invalid(quote(name) + " " + e.what());
              }
            }
            return out;
          }};
}

const std::string kHeaderWhy =
    "the message header alone is " + std::to_string(kHeaderSize) +
    " bytes; librdkafka refuses a larger record under its default message.max.bytes of 1000000";

std::vector<Setting> build() {
  using R = Role;
  // clang-format off
  return {
    {"name", "string", safe_name(200), "hydra", "names the results folder", R::kController, ""},
    {"broker.embedded.kind", "string", one_of({"hydra", "mock"}), "hydra", "the embedded broker hydra hosts when broker.bootstrap is not given: \"hydra\" (Hydra's own in-memory Kafka-protocol broker) or \"mock\" (librdkafka's mock cluster)", R::kController, ""},
    {"broker.embedded.brokers", "integer", integer(1, 16), 1, "brokers of the embedded cluster (listeners in the controller's process)", R::kController, ""},
    {"broker.embedded.listen", "string", listen_address(), "127.0.0.1", "the address the embedded broker listens on and advertises to clients; an address agents on other hosts reach (the hydra kind only)", R::kController, ""},
    {"broker.bootstrap", "string", bootstrap(), "", "brokers of a real cluster; give it or broker.embedded, not both", R::kController, ""},
    {"broker.kafka", "object", kafka_map("client"), json::object(), "librdkafka properties of the cluster (security.protocol, sasl.*, ssl.*, ...) every client gets: the controller's topic admin and broker check, every producer and consumer; publisher.kafka and subscribers.kafka win over them", R::kController, ""},
    {"topic.name", "string", safe_name(249), "hydra", "the topic every publisher writes and every subscriber reads", R::kController, ""},
    {"topic.partitions", "integer", integer(1, 1024), 1, "partitions of the topic; the publisher picks each message's partition", R::kPublisher, "partitions"},
    {"topic.replication", "integer", integer(1), 1, "replication factor; on the embedded broker at most broker.embedded.brokers", R::kController, ""},
    {"topic.count", "integer", integer(1, 64), 1, "topics: 1 = topic.name; N = topic.name-0 .. topic.name-(N-1), each with topic.partitions, the publisher's messages spread over them in turn, every subscriber client reading all", R::kController, ""},
    {"topic.config", "object", topic_config_map(), json::object(), "topic configuration entries passed to topic creation (retention.ms, segment.bytes, cleanup.policy, ...); the embedded hydra broker applies retention.ms and retention.bytes and accepts the others", R::kController, ""},
    {"topic.reuse", "boolean", boolean(), false, "use an existing topic of a real cluster as it is instead of creating it (needs broker.bootstrap)", R::kController, ""},
    {"duration_s", "number", number(0, true), 10, "measured window per step, seconds", R::kController, ""},
    {"warmup_s", "number", number(0, false), 2, "publishing before the counters are reset, seconds (sent and received but not counted)", R::kController, ""},
    {"drain_timeout_s", "number", number(0, true), 10, "longest wait for subscriber counts to settle after the publisher stops, seconds", R::kController, ""},
    {"control_timeout_s", "number", number(0, true), 10, "timeout of each control request to an agent, seconds; an agent that misses it is failing", R::kController, ""},
    {"repeats", "integer", integer(1), 1, "times each step is run", R::kController, ""},
    {"publisher.rate", "number", number(0, false), 2000, "target msg/s, open loop; 0 = as fast as librdkafka takes them", R::kPublisher, "rate"},
    {"publisher.message_size", "integer", integer(kHeaderSize, kMaxMessageSize, kHeaderWhy), 100, "bytes per message value, the 40-byte header included; >= 104 with payload \"sensor\"", R::kPublisher, "message_size"},
    {"publisher.msg_batch", "integer", integer(1), 100, "messages handed to librdkafka between polls", R::kPublisher, "msg_batch"},
    {"publisher.acks", "string", acks(), "1", "librdkafka acks; stored as \"0\", \"1\" or \"all\"", R::kPublisher, "acks"},
    {"publisher.linger_ms", "number", number(0, false), 5, "librdkafka linger.ms", R::kPublisher, "linger_ms"},
    {"publisher.payload", "string", one_of({"random", "sensor", "cpu", "order", "file"}), "random", "the body after the header: \"random\" bytes (see publisher.compressibility), a \"sensor\" reading (device id, timestamp, 12 float channels; what the processing kinds consume), \"cpu\" usage samples (per-core), an \"order\" (id, amount, type), or the lines of publisher.payload_file in turn", R::kPublisher, "payload"},
    {"publisher.encoding", "string", one_of({"binary", "json", "cbor", "msgpack"}), "binary", "how sensor, cpu and order documents are encoded: fixed little-endian \"binary\" records (padded to message_size) or a \"json\", \"cbor\" or \"msgpack\" document (its own size; message_size is then ignored)", R::kPublisher, "encoding"},
    {"publisher.compressibility", "number", number_in(0, 1), 0, "payload \"random\": the fraction of the body that compresses away (a run of zeros); 0 = incompressible", R::kPublisher, "compressibility"},
    {"publisher.payload_file", "string", any_string("a path (relative paths are taken from the scenario file's folder)"), "", "payload \"file\": a text file whose lines (newline dropped, empty lines skipped) are the message bodies, in turn", R::kPublisher, "payload_file"},
    {"publisher.keys.count", "integer", integer(0), 0, "0 = unkeyed, partitions round robin; K = keyed (the client's partitioner, murmur2) over K keys. `\"keys\": K` is shorthand for `{\"count\": K}`", R::kPublisher, "keys"},
    {"publisher.keys.distribution", "string", one_of({"round-robin", "uniform", "zipf", "hot"}), "round-robin", "which key each message gets: in turn, \"uniform\" at random, \"zipf\" (key k with probability ~ 1/(k+1)^exponent) or \"hot\" (hot_fraction of the messages on key 0, the rest spread evenly)", R::kPublisher, "key_distribution"},
    {"publisher.keys.exponent", "number", number(0, true), 1, "zipf's exponent s", R::kPublisher, "key_exponent"},
    {"publisher.keys.hot_fraction", "number", number_in(0, 1), 0.5, "hot: the fraction of messages on the hot key", R::kPublisher, "key_hot_fraction"},
    {"publisher.keys.seed", "integer", integer(0), 1, "seed of the uniform, zipf and hot draws (the same seed, the same keys)", R::kPublisher, "key_seed"},
    {"publisher.keys.hot_threshold", "number", number(1, false), 2, "a partition is hot (column hot_partitions) when its share of the window's messages exceeds this multiple of the mean share", R::kController, ""},
    {"publisher.enabled", "boolean", boolean(), true, "false: a consumer-only run: no publisher; the clients count what arrives on a topic someone else fills (rates, and sequence gaps of other Hydra producers, without a window: consumed, consumed_rate, gaps)", R::kController, ""},
    {"publisher.idempotent", "boolean", boolean(), false, "librdkafka enable.idempotence: the broker drops the duplicates a producer's retries would write; needs publisher.acks \"all\"", R::kPublisher, "idempotent"},
    {"publisher.transactional", "boolean", boolean(), false, "the publisher's messages go in transactions (a transactional.id per publisher, idempotence on); the subscribers then read with isolation.level read_committed. Needs publisher.acks \"all\" and a broker with transactions (broker.embedded.kind \"mock\" or a real cluster)", R::kPublisher, "transactional"},
    {"publisher.kafka", "object", kafka_map("producer"), json::object(), "extra librdkafka producer properties, passed through (numbers and booleans become strings)", R::kPublisher, "kafka"},
    {"publisher.agents", "integer", integer(1, 64), 1, "publisher agents, each its own process and producer id (its own sequences), splitting publisher.rate evenly (rate 0: each unthrottled); the row sums their counts and merges their histograms. With publisher.generators: their count (give 1 or the same number)", R::kController, ""},
    {"publisher.generators", "array", generators(), json::array(), "one publisher agent per entry, each entry a partial publisher section for that agent (rate, message_size, msg_batch, acks, linger_ms, payload, encoding, compressibility, payload_file, keys, kafka); what an entry leaves out is the publisher section's, rate included (not split). [] = publisher.agents identical agents", R::kController, ""},
    {"subscribers.clients", "integer", integer(0), 10, "subscriber clients, each its own consumer; 0 = a producer-only run (throughput and ack latency alone)", R::kController, ""},
    {"subscribers.clients_per_agent", "integer", integer(1, kMaxClientsPerAgent), 100, "clients per subscriber agent process; agents = ceil(clients / clients_per_agent) (HYDRA ran 10; fewer processes cost less CPU per client)", R::kController, ""},
    {"subscribers.groups", "string", one_of({"per-client", "shared", "none"}), "per-client", "\"per-client\": each client its own consumer group (a full copy of the stream each); \"shared\": subscribers.group_count groups of clients / group_count members each, the group protocol splitting the partitions among a group's members, loss and duplicates counted per group (every group must get the whole window once); \"none\": no group protocol, each client assigned every partition by hand at the end of its log (HYDRA's full copies without coordinator load)", R::kSubscriber, "groups"},
    {"subscribers.group_count", "integer", integer(1, kMaxClientsPerAgent), 1, "groups \"shared\": consumer groups; subscribers.clients must be a multiple of it. A group's members live in one subscriber agent (they share its sequence tracker), so subscribers.clients_per_agent must be a multiple of the members per group or at least subscribers.clients; only 1 with other groups", R::kController, ""},
    {"subscribers.commit", "string", one_of({"auto", "none", "after-process", "before-process"}), "auto", "groups \"shared\": when a member commits its offsets (where a member that takes over a partition starts): \"auto\" (librdkafka's auto-commit of what it handed out), \"none\" (never: a takeover starts at the end of the log), \"after-process\" (at-least-once: a message's offset is committed after it was counted), \"before-process\" (at-most-once: each batch is committed before it is counted); other groups never commit, so only \"auto\" there", R::kSubscriber, "commit"},
    {"subscribers.kafka", "object", kafka_map("consumer"), json::object(), "extra librdkafka consumer properties, passed through", R::kSubscriber, "kafka"},
    {"subscribers.decode", "boolean", boolean(), false, "each client decodes every message's body (publisher.payload's document in its encoding) and times it (column decode_us)", R::kSubscriber, "decode"},
    {"subscribers.slow.fraction", "number", number_in(0, 1), 0, "the fraction of clients throttled to subscribers.slow.rate (HYDRA's slow clients), spread evenly over the client ids; they are left out of loss and failing_clients (columns slow_clients, slow_behind)", R::kSubscriber, "slow_fraction"},
    {"subscribers.slow.rate", "number", number(0, true), 100, "msg/s a slow client reads at most", R::kSubscriber, "slow_rate"},
    {"subscribers.processing.kind", "string", one_of({"none", "window-agg", "zscore", "mlp"}), "none", "what each client computes on the records it receives; anything but \"none\" needs publisher.payload \"sensor\"", R::kProcessing, "kind"},
    {"subscribers.processing.device", "string", one_of({"cpu", "gpu", "auto"}), "cpu", "where it runs; \"auto\" = the GPU when there is one", R::kProcessing, "device"},
    {"subscribers.processing.batch", "integer", integer(1, 1 << 20), 4096, "records per processing batch", R::kProcessing, "batch"},
    {"subscribers.processing.linger_ms", "number", number(0, false), 2, "longest wait to fill a batch, ms", R::kProcessing, "linger_ms"},
    {"subscribers.processing.threads", "integer", integer(0, 1024), 1, "CPU processing threads per client; 0 = all cores", R::kProcessing, "threads"},
    {"subscribers.processing.window_ms", "integer", integer(1), 1000, "window-agg's tumbling window, ms", R::kProcessing, "window_ms"},
    {"mode", "string", one_of({"sweep", "find-max-rate", "find-lossless-rate"}), "sweep", "\"sweep\": run every step as given; \"find-max-rate\": for each step, search the highest publish rate the set-up keeps up with (double publisher.rate until the achieved rate grows by < 2 %, then bisect); \"find-lossless-rate\": the same for the highest rate with loss <= max_loss_pct. publisher.rate is where the search starts (0: 1000); each probe is a row, the answers go to search.csv", R::kController, ""},
    {"max_loss_pct", "number", number(0, false), 0.5, "mode \"find-lossless-rate\": the most loss (average_packet_loss, %) a rate may have and still count as lossless", R::kController, ""},
    {"max_probes", "integer", integer(2, 100), 12, "modes \"find-*\": the most probes (step runs) one search makes; a search that runs out reports the best rate so far as \"bounded\"", R::kController, ""},
    {"agents.launcher", "string", one_of({"daemons", "ssh", "local"}), "daemons", "how agents start: \"daemons\" asks the `hydra-agent serve` daemons of agents.hosts (everything on this host when there are none); \"ssh\" starts those daemons over ssh first; \"local\" on this host only", R::kController, ""},
    {"agents.hosts", "array", agent_hosts(), json::array(), "agent daemons on other hosts: subscriber agents are spread over those with role \"sub\" by weight, the publisher goes to one with role \"pub\"; [] = every agent on this host", R::kController, ""},
    {"agents.hosts_from_dns", "string", dns_name_port(), "", "adds one daemon (both roles, weight 1) per A record of NAME, at PORT: a Kubernetes headless Service", R::kController, ""},
    {"agents.key", "string", any_string(), "", "the controller's key pair file (`hydra keys`); with it, control traffic to the daemons and their agents is CurveZMQ", R::kController, ""},
    {"agents.server_key", "string", any_string(), "", "the daemons' public key (40 Z85 characters or a .pub file), unless a host entry gives its own server_key", R::kController, ""},
    {"agents.insecure", "boolean", boolean(), false, "allow plain TCP to daemons off loopback (no agents.key); trusted networks only", R::kController, ""},
    {"agents.remote_agent", "string", any_string(), "hydra-agent", "the hydra-agent command on the remote hosts (ssh launcher)", R::kController, ""},
    {"agents.clock_share", "number", number(0, true), 0.1, "a step is flagged when a host's clock-offset uncertainty exceeds this share of its p50 latency", R::kController, ""},
  };
  // clang-format on
}

// A Markdown table cell: pipes escaped, so a rule or doc cannot split a row.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

const char* role_name(Role r) {
  switch (r) {
    case Role::kController:
      return "controller";
    case Role::kPublisher:
      return "publisher";
    case Role::kSubscriber:
      return "subscriber";
    case Role::kProcessing:
      return "subscriber processing";
  }
  return "?";
}

const std::vector<Setting>& all() {
  static const std::vector<Setting> table = build();
  return table;
}

bool generator_key(std::string_view leaf) {
  if (leaf == "transactional" || leaf == "keys.hot_threshold") return false;
  const std::string key = "publisher." + std::string(leaf);
  const Setting* s = find(key);
  return s && s->role == Role::kPublisher;
}

const Setting* find(std::string_view key) {
  for (const auto& s : all())
    if (s.key == key) return &s;
  return nullptr;
}

const Setting* find_wire(Role role, std::string_view wire) {
  for (const auto& s : all())
    if (s.role == role && s.wire == wire) return &s;
  return nullptr;
}

const Rule& kafka_value_rule() {
  static const Rule rule{"a string, number or boolean", kafka_text};
  return rule;
}

std::string settings_markdown() {
  std::string md =
      "| key | type | default | allowed | what it does | sent to |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& s : all()) {
    const std::string sent =
        s.role == Role::kController ? "—" : std::string(role_name(s.role)) + " `" + s.wire + "`";
    md += "| `" + s.key + "` | " + s.type + " | `" + cell(s.default_value.dump()) + "` | " +
          cell(s.rule.allowed) + " | " + cell(s.doc) + " | " + sent + " |\n";
  }
  return md;
}

}  // namespace hydra::settings
