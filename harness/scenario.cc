// Scenario parsing: the settings table (common/settings.h: dotted key, rule,
// default) drives the unknown-key check, the type and range checks, the
// defaults and the resolved document; `bindings()` says which Scenario member
// each setting fills.
#include "harness/scenario.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <type_traits>

#include "common/settings.h"

namespace hydra {
namespace {

using json = nlohmann::ordered_json;

using settings::kHeaderSize;
using settings::kSensorRecordSize;
// A value a rule rejects; what() is the reason, the caller adds the source
// and the key.
using Invalid = settings::Invalid;
// Checks one value and returns it normalized; throws Invalid.
using Rule = std::function<json(const json&)>;

std::string got(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return "(got " + s + ")";
}

std::string join(const std::vector<std::string>& parts, const std::string& sep, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}
std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  return join(parts, sep, parts.size());
}

std::string quote_json(const std::string& s) {
  return json(s).dump();
}

// A rate as the settings table normalizes numbers: whole ones as integers.
json normalize_rate(double r) {
  if (std::floor(r) == r && std::fabs(r) < 9007199254740992.0) return json(int64_t(r));
  return json(r);
}

// One leaf of the scenario: its row of the settings table (key, rule,
// default) and, when the Scenario struct has a member for it, how to fill it.
// A setting without a member lives only in `Scenario::resolved` (the wire
// configuration reads it from there).
struct Field {
  const settings::Setting* setting = nullptr;
  std::string key;
  std::vector<std::string> parts;
  Rule rule;
  bool takes_string = false;                        // a --set value is taken as text
  std::function<json(const Scenario&)> get;         // empty: no struct member
  std::function<void(Scenario&, const json&)> set;  // empty: no struct member
};

// The struct member of one setting: `ref` is a generic lambda returning it,
// for const and non-const.
struct Binding {
  std::string key;
  std::function<json(const Scenario&)> get;
  std::function<void(Scenario&, const json&)> set;
};

template <typename Ref>
Binding bind(std::string key, Ref ref) {
  using T = std::decay_t<decltype(ref(std::declval<Scenario&>()))>;
  return {std::move(key), [ref](const Scenario& s) { return json(ref(s)); },
          [ref](Scenario& s, const json& v) { ref(s) = v.get<T>(); }};
}

// Which Scenario member each setting fills. Rules, defaults and docs are in
// the settings table (common/settings.cc), not here.
std::vector<Binding> bindings() {
  // clang-format off
  return {
    bind("name", [](auto& c) -> auto& { return c.name; }),
    bind("broker.embedded.kind", [](auto& c) -> auto& { return c.broker.embedded_kind; }),
    bind("broker.embedded.brokers", [](auto& c) -> auto& { return c.broker.embedded_brokers; }),
    bind("broker.bootstrap", [](auto& c) -> auto& { return c.broker.bootstrap; }),
    bind("broker.kafka", [](auto& c) -> auto& { return c.broker.kafka; }),
    bind("topic.name", [](auto& c) -> auto& { return c.topic.name; }),
    bind("topic.partitions", [](auto& c) -> auto& { return c.topic.partitions; }),
    bind("topic.replication", [](auto& c) -> auto& { return c.topic.replication; }),
    bind("topic.count", [](auto& c) -> auto& { return c.topic.count; }),
    bind("topic.config", [](auto& c) -> auto& { return c.topic.config; }),
    bind("topic.reuse", [](auto& c) -> auto& { return c.topic.reuse; }),
    bind("duration_s", [](auto& c) -> auto& { return c.duration_s; }),
    bind("warmup_s", [](auto& c) -> auto& { return c.warmup_s; }),
    bind("drain_timeout_s", [](auto& c) -> auto& { return c.drain_timeout_s; }),
    bind("control_timeout_s", [](auto& c) -> auto& { return c.control_timeout_s; }),
    bind("repeats", [](auto& c) -> auto& { return c.repeats; }),
    bind("publisher.rate", [](auto& c) -> auto& { return c.publisher.rate; }),
    bind("publisher.message_size", [](auto& c) -> auto& { return c.publisher.message_size; }),
    bind("publisher.msg_batch", [](auto& c) -> auto& { return c.publisher.msg_batch; }),
    bind("publisher.acks", [](auto& c) -> auto& { return c.publisher.acks; }),
    bind("publisher.linger_ms", [](auto& c) -> auto& { return c.publisher.linger_ms; }),
    bind("publisher.payload", [](auto& c) -> auto& { return c.publisher.payload; }),
    bind("publisher.encoding", [](auto& c) -> auto& { return c.publisher.encoding; }),
    bind("publisher.keys.count", [](auto& c) -> auto& { return c.publisher.keys; }),
    bind("publisher.idempotent", [](auto& c) -> auto& { return c.publisher.idempotent; }),
    bind("publisher.transactional", [](auto& c) -> auto& { return c.publisher.transactional; }),
    bind("publisher.kafka", [](auto& c) -> auto& { return c.publisher.kafka; }),
    bind("publisher.agents", [](auto& c) -> auto& { return c.publisher.agents; }),
    bind("subscribers.clients", [](auto& c) -> auto& { return c.subscribers.clients; }),
    bind("subscribers.clients_per_agent", [](auto& c) -> auto& { return c.subscribers.clients_per_agent; }),
    bind("subscribers.groups", [](auto& c) -> auto& { return c.subscribers.groups; }),
    bind("subscribers.group_count", [](auto& c) -> auto& { return c.subscribers.group_count; }),
    bind("subscribers.commit", [](auto& c) -> auto& { return c.subscribers.commit; }),
    bind("subscribers.kafka", [](auto& c) -> auto& { return c.subscribers.kafka; }),
    bind("subscribers.processing.kind", [](auto& c) -> auto& { return c.subscribers.processing.kind; }),
    bind("subscribers.processing.device", [](auto& c) -> auto& { return c.subscribers.processing.device; }),
    bind("subscribers.processing.batch", [](auto& c) -> auto& { return c.subscribers.processing.batch; }),
    bind("subscribers.processing.linger_ms", [](auto& c) -> auto& { return c.subscribers.processing.linger_ms; }),
    bind("subscribers.processing.threads", [](auto& c) -> auto& { return c.subscribers.processing.threads; }),
    bind("subscribers.processing.window_ms", [](auto& c) -> auto& { return c.subscribers.processing.window_ms; }),
  };
  // clang-format on
}

struct Schema {
  std::vector<Field> fields;
  // Object path ("" = the top level) -> its keys, in file order.
  std::map<std::string, std::vector<std::string>> children;

  const Field* find(const std::string& key) const {
    for (const auto& f : fields)
      if (f.key == key) return &f;
    return nullptr;
  }
};

Schema build_schema() {
  Schema s;
  auto& f = s.fields;
  const std::vector<Binding> members = bindings();
  for (const settings::Setting& row : settings::all()) {
    Field fld;
    fld.setting = &row;
    fld.key = row.key;
    fld.parts = split_key(row.key);
    fld.rule = row.rule.check;
    fld.takes_string = row.takes_string();
    for (const auto& m : members) {
      if (m.key != row.key) continue;
      fld.get = m.get;
      fld.set = m.set;
    }
    f.push_back(std::move(fld));
  }
  // The struct's initializers are a convenience for code that builds a
  // Scenario by hand; they must say what the table says.
  const Scenario defaults;
  for (const auto& m : members) {
    const settings::Setting* row = settings::find(m.key);
    if (!row) throw std::logic_error("scenario member bound to \"" + m.key + "\", not a setting");
    if (m.get(defaults) != row->default_value) {
      throw std::logic_error("Scenario's initializer for " + m.key + " is " +
                             m.get(defaults).dump() + ", the settings table says " +
                             row->default_value.dump());
    }
  }
  for (const auto& fld : f) {
    for (size_t i = 0; i < fld.parts.size(); ++i) {
      auto& kids = s.children[join(fld.parts, ".", i)];
      if (std::find(kids.begin(), kids.end(), fld.parts[i]) == kids.end()) {
        kids.push_back(fld.parts[i]);
      }
    }
  }
  s.children[""].push_back("sweep");
  s.children[""].push_back("faults");  // a list: harness/faults.h checks it
  return s;
}

const Schema& schema() {
  static const Schema s = build_schema();
  return s;
}

bool is_kafka_map(const std::string& key) {
  return key == "broker.kafka" || key == "publisher.kafka" || key == "subscribers.kafka" ||
         key == "topic.config";
}

// `"publisher": {"keys": K}` is shorthand for `{"keys": {"count": K}}`, and a
// sweep of "publisher.keys" sweeps publisher.keys.count: rewritten before
// anything reads the document, so --set publisher.keys.distribution=zipf
// works on a file that uses the shorthand.
void expand_shorthands(json& doc) {
  if (!doc.is_object()) return;
  auto pub = doc.find("publisher");
  if (pub != doc.end() && pub->is_object()) {
    auto keys = pub->find("keys");
    if (keys != pub->end() && !keys->is_object() && !keys->is_null())
      *keys = json{{"count", *keys}};
  }
  auto sweep = doc.find("sweep");
  if (sweep != doc.end() && sweep->is_object() && sweep->contains("publisher.keys")) {
    json renamed = json::object();
    for (auto& [k, v] : sweep->items())
      renamed[k == "publisher.keys" ? "publisher.keys.count" : k] = v;
    *sweep = std::move(renamed);
  }
}

std::string allowed_keys(const std::string& object_path) {
  auto it = schema().children.find(object_path);
  return it == schema().children.end() ? "" : join(it->second, ", ");
}

// Why `key` is not a key of the file: the nearest object it would be in and
// what that object allows.
std::string unknown_key_reason(const std::string& key) {
  const Schema& s = schema();
  auto parts = split_key(key);
  for (size_t n = parts.size(); n-- > 0;) {
    std::string prefix = join(parts, ".", n);
    if (s.children.count(prefix)) {
      return "unknown key " + quote_json(key) + " (allowed: " + allowed_keys(prefix) + ")";
    }
    if (s.find(prefix)) {
      return "unknown key " + quote_json(key) + " (" + prefix + " is a value, not an object)";
    }
  }
  return "unknown key " + quote_json(key) + " (allowed: " + allowed_keys("") + ")";
}

const json* find_path(const json& doc, const std::vector<std::string>& parts) {
  const json* node = &doc;
  for (const auto& p : parts) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(p);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

void put_path(json& doc, const std::vector<std::string>& parts, json value) {
  json* node = &doc;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    json& child = (*node)[parts[i]];
    if (child.is_null()) child = json::object();
    node = &child;
  }
  (*node)[parts.back()] = std::move(value);
}

// Every key of the document must be a field, an object on the way to one,
// or `sweep` at the top.
void check_keys(const json& obj, const std::string& prefix, const std::string& src) {
  const Schema& s = schema();
  for (const auto& [k, v] : obj.items()) {
    std::string path = prefix.empty() ? k : prefix + "." + k;
    if (prefix.empty() && (k == "sweep" || k == "faults")) continue;
    if (s.find(path)) continue;
    if (!k.empty() && s.children.count(path)) {
      if (!v.is_object()) throw ScenarioError(src, path, "must be an object " + got(v), path);
      check_keys(v, path, src);
      continue;
    }
    throw ScenarioError(
        src, "", "unknown key " + quote_json(path) + " (allowed: " + allowed_keys(prefix) + ")",
        path);
  }
}

// The rule for a swept key: a field's own, or a single librdkafka property's.
Rule sweep_rule(const std::string& key, const std::string& src) {
  const Schema& s = schema();
  auto parts = split_key(key);
  if (!parts.empty() && parts[0] == "agents")
    throw ScenarioError(src, "sweep",
                        quote_json(key) +
                            " cannot be swept (where the agents run is set once "
                            "per run)",
                        key);
  if (parts.empty() || parts[0] == "sweep" || key == "name") {
    throw ScenarioError(src, "sweep",
                        quote_json(key) + " cannot be swept" +
                            (key == "name" ? " (it names the results folder)" : ""),
                        key);
  }
  if (const Field* f = s.find(key)) return f->rule;
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); });
  if (!empty_part && parts.size() == 3 && is_kafka_map(parts[0] + "." + parts[1])) {
    return settings::kafka_value_rule().check;
  }
  if (!empty_part && s.children.count(key)) {
    std::vector<std::string> leaves;
    for (const auto& f : s.fields)
      if (f.key.rfind(key + ".", 0) == 0) leaves.push_back(f.key);
    throw ScenarioError(
        src, "sweep",
        quote_json(key) + " is an object; sweep one of its keys (" + join(leaves, ", ") + ")", key);
  }
  throw ScenarioError(src, "sweep", unknown_key_reason(key), key);
}

bool inside(const std::string& key, const std::string& outer) {
  return key.size() > outer.size() && key.compare(0, outer.size(), outer) == 0 &&
         key[outer.size()] == '.';
}

std::vector<SweepAxis> parse_sweep(const json& doc, const std::string& src) {
  std::vector<SweepAxis> axes;
  auto it = doc.find("sweep");
  if (it == doc.end()) return axes;
  if (!it->is_object()) {
    throw ScenarioError(src, "sweep",
                        "must be an object of \"dotted.key\": [values...] " + got(*it), "sweep");
  }
  for (const auto& [key, values] : it->items()) {
    Rule rule = sweep_rule(key, src);
    if (!values.is_array() || values.empty()) {
      throw ScenarioError(src, "sweep " + key, "must be a non-empty array of values " + got(values),
                          key);
    }
    for (const auto& other : axes) {
      if (inside(key, other.key) || inside(other.key, key)) {
        throw ScenarioError(src, "sweep " + key, "overlaps sweep " + other.key, key);
      }
      bool brokers = (key.rfind("broker.", 0) == 0) && (other.key.rfind("broker.", 0) == 0);
      if (brokers) {
        throw ScenarioError(
            src, "sweep " + key,
            "cannot be swept together with " + other.key + " (a step uses one broker kind)", key);
      }
    }
    SweepAxis axis{key, {}};
    for (size_t i = 0; i < values.size(); ++i) {
      try {
        axis.values.push_back(rule(values[i]));
      } catch (const Invalid& e) {
        throw ScenarioError(src, "sweep " + key + "[" + std::to_string(i) + "]" + e.at(), e.what(),
                            key);
      }
    }
    axes.push_back(std::move(axis));
  }
  return axes;
}

// Shared consumer groups and delivery semantics: rules between the group,
// commit, idempotence and broker keys (see the settings' docs).
template <typename Swept>
void check_groups_and_delivery(const Scenario& s, const std::string& src, const Swept& swept) {
  const auto& sub = s.subscribers;
  auto refuse = [&](const char* key, const std::string& why) {
    throw ScenarioError(src, key, why, key);
  };
  const bool group_keys_swept = swept({"subscribers.groups", "subscribers.group_count",
                                       "subscribers.clients", "subscribers.clients_per_agent"});
  if (!group_keys_swept) {
    if (!sub.shared() && sub.group_count != 1)
      refuse("subscribers.group_count", std::to_string(sub.group_count) +
                                            " needs subscribers.groups \"shared\" (got " +
                                            quote_json(sub.groups) + ")");
    if (sub.shared() && sub.clients % sub.group_count != 0)
      refuse("subscribers.group_count", "subscribers.clients (" + std::to_string(sub.clients) +
                                            ") must be a multiple of subscribers.group_count (" +
                                            std::to_string(sub.group_count) +
                                            "): every group has the same members");
    const int members = sub.group_members();
    if (sub.shared() && sub.clients % sub.group_count == 0 && sub.agents() > 1 &&
        sub.clients_per_agent % members != 0)
      refuse("subscribers.clients_per_agent",
             std::to_string(sub.clients_per_agent) + " must be a multiple of the " +
                 std::to_string(members) +
                 " members per group (subscribers.clients / group_count), or at least "
                 "subscribers.clients (" +
                 std::to_string(sub.clients) +
                 "): a group's members count the window together in one subscriber agent");
  }
  if (!sub.shared() && sub.commit != "auto" && !swept({"subscribers.groups", "subscribers.commit"}))
    refuse("subscribers.commit", quote_json(sub.commit) +
                                     " needs subscribers.groups \"shared\": other groups never "
                                     "commit (nothing resumes from their offsets)");
  const auto& pub = s.publisher;
  for (const auto& [on, key] : {std::pair{pub.idempotent, "publisher.idempotent"},
                                std::pair{pub.transactional, "publisher.transactional"}}) {
    if (on && pub.acks != "all" && !swept({key, "publisher.acks"}))
      refuse(key, std::string("true needs publisher.acks \"all\" (got ") + quote_json(pub.acks) +
                      "): the broker can only drop a retry's duplicate when every replica has "
                      "the first copy");
  }
  if (pub.transactional && s.broker.embedded() && s.broker.embedded_kind == "hydra" &&
      !swept({"publisher.transactional", "broker.embedded.kind", "broker.bootstrap"}))
    refuse("publisher.transactional",
           "true needs a broker with transactions: Hydra's own broker (broker.embedded.kind "
           "\"hydra\") has none; use \"mock\" or broker.bootstrap");
}

// The rules of one publisher agent's settings: the publisher section's, or
// with publisher.generators each entry's over it (`at` names which:
// "publisher." or "publisher.generators[1].").
template <typename Swept>
void check_publisher(const Scenario& s, const std::string& src, const Swept& swept,
                     const std::string& at) {
  const int sensor_min = kHeaderSize + kSensorRecordSize;
  if (s.publisher.payload == "sensor" && s.publisher.encoding == "binary" &&
      s.publisher.message_size < sensor_min &&
      !swept({"publisher.payload", "publisher.message_size", "publisher.encoding"})) {
    throw ScenarioError(src, at + "message_size",
                        std::to_string(s.publisher.message_size) + " is too small for " + at +
                            "payload \"sensor\" (needs >= " + std::to_string(sensor_min) + ": " +
                            std::to_string(kHeaderSize) + "-byte header + " +
                            std::to_string(kSensorRecordSize) + "-byte sensor record)",
                        "publisher.message_size");
  }
  const auto distribution = scenario_value(s, "publisher.keys.distribution").get<std::string>();
  if (distribution != "round-robin" && s.publisher.keys == 0 &&
      !swept({"publisher.keys.distribution", "publisher.keys.count"})) {
    throw ScenarioError(
        src, at + "keys.distribution",
        quote_json(distribution) + " needs " + at + "keys.count >= 1 (0 means unkeyed messages)",
        "publisher.keys.distribution");
  }
  const auto payload_file = scenario_value(s, "publisher.payload_file").get<std::string>();
  if (s.publisher.payload == "file" && payload_file.empty() &&
      !swept({"publisher.payload", "publisher.payload_file"})) {
    throw ScenarioError(src, at + "payload_file",
                        "is needed with " + at + "payload \"file\" (the file whose lines are sent)",
                        "publisher.payload_file");
  }
  // (The publisher section's own acks rule is check_groups_and_delivery's.)
  if (at != "publisher." && (s.publisher.idempotent || s.publisher.transactional) &&
      s.publisher.acks != "all" && !swept({"publisher.acks", "publisher.idempotent"}))
    throw ScenarioError(src, at + "acks",
                        quote_json(s.publisher.acks) +
                            " with idempotence on: the broker can only drop a retry's duplicate "
                            "when every replica has the first copy (use \"all\")",
                        "publisher.generators");
  if (s.subscribers.processing.kind != "none" && s.publisher.payload != "sensor" &&
      !swept({"subscribers.processing.kind", "publisher.payload"})) {
    throw ScenarioError(src, "subscribers.processing.kind",
                        quote_json(s.subscribers.processing.kind) + " needs " + at +
                            "payload \"sensor\" (got " + quote_json(s.publisher.payload) + ")",
                        "subscribers.processing.kind");
  }
}

// Rules between fields. A rule whose keys are swept is checked per step.
void check_combinations(const Scenario& s, const std::string& src) {
  auto swept = [&s](std::initializer_list<const char*> keys) {
    for (const auto& axis : s.sweep)
      for (const char* k : keys)
        if (axis.key == k) return true;
    return false;
  };
  if (s.broker.embedded() && s.topic.replication > s.broker.embedded_brokers &&
      !swept({"topic.replication", "broker.embedded.brokers", "broker.bootstrap"})) {
    throw ScenarioError(src, "topic.replication",
                        std::to_string(s.topic.replication) +
                            " is more than broker.embedded.brokers (" +
                            std::to_string(s.broker.embedded_brokers) + ")",
                        "topic.replication");
  }
  if (s.broker.embedded() && s.topic.reuse &&
      !swept({"topic.reuse", "broker.embedded.brokers", "broker.bootstrap"})) {
    throw ScenarioError(src, "topic.reuse",
                        "true needs broker.bootstrap (the embedded broker starts with no topics)",
                        "topic.reuse");
  }
  // A rate search sets publisher.rate itself on every probe, and each probe
  // is one run: a swept rate or repeats would be overruled silently.
  const std::string mode = scenario_value(s, "mode").get<std::string>();
  if (mode != "sweep" && swept({"publisher.rate"})) {
    throw ScenarioError(src, "sweep publisher.rate",
                        "cannot be swept with mode " + quote_json(mode) +
                            " (the search chooses the rate; publisher.rate is where it starts)",
                        "publisher.rate");
  }
  if (mode != "sweep" && s.repeats > 1 && !swept({"repeats"})) {
    throw ScenarioError(src, "repeats",
                        std::to_string(s.repeats) + " with mode " + quote_json(mode) +
                            ": a search runs each probe once (use 1)",
                        "repeats");
  }
  const bool publishing = scenario_value(s, "publisher.enabled").get<bool>();
  if (!publishing && s.subscribers.clients == 0 &&
      !swept({"publisher.enabled", "subscribers.clients"})) {
    throw ScenarioError(src, "subscribers.clients",
                        "0 with publisher.enabled false: nobody would send or receive",
                        "subscribers.clients");
  }
  if (!publishing && mode != "sweep" && !swept({"publisher.enabled"})) {
    throw ScenarioError(
        src, "publisher.enabled",
        "false with mode " + quote_json(mode) + ": a rate search needs Hydra's publisher",
        "publisher.enabled");
  }
  if (!s.topic.config.empty() && s.broker.embedded() && s.broker.embedded_kind == "mock" &&
      !swept({"topic.config", "broker.embedded.kind", "broker.bootstrap"})) {
    throw ScenarioError(src, "topic.config",
                        "the embedded \"mock\" broker takes no topic configuration (use "
                        "broker.embedded.kind \"hydra\" or a real cluster)",
                        "topic.config");
  }
  const json& gens = scenario_value(s, "publisher.generators");
  if (gens.empty()) {
    check_publisher(s, src, swept, "publisher.");
  } else if (!swept({"publisher.generators"})) {
    // A swept publisher key may be one a generator overrides: checked per step.
    const std::vector<Scenario> each = publisher_scenarios(s);
    for (size_t i = 0; i < each.size(); ++i)
      check_publisher(each[i], src, swept, "publisher.generators[" + std::to_string(i) + "].");
  }
  if (!gens.empty() && s.publisher.agents != 1 && s.publisher.agents != int(gens.size()) &&
      !swept({"publisher.agents", "publisher.generators"}))
    throw ScenarioError(src, "publisher.agents",
                        std::to_string(s.publisher.agents) +
                            " conflicts with publisher.generators (" + std::to_string(gens.size()) +
                            " entries): with generators there is one publisher agent per entry",
                        "publisher.agents");
  if (mode != "sweep" && !swept({"publisher.generators"}))
    for (size_t i = 0; i < gens.size(); ++i)
      if (gens[i].contains("rate"))
        throw ScenarioError(src, "publisher.generators[" + std::to_string(i) + "].rate",
                            "cannot be given with mode " + quote_json(mode) +
                                " (the search sets publisher.rate, which every generator "
                                "without its own rate sends at)",
                            "publisher.generators");
  check_groups_and_delivery(s, src, swept);
}

// 1-based line and column of a 0-based byte offset.
std::pair<size_t, size_t> line_col(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  size_t last_nl = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  size_t col = last_nl == std::string::npos ? offset + 1 : offset - last_nl;
  return {line, col};
}

// Where the string literal whose closing quote is at `close` opens.
size_t string_start(const std::string& text, size_t close) {
  if (close >= text.size() || text[close] != '"') return close;
  for (size_t i = close; i-- > 0;) {
    if (text[i] != '"') continue;
    size_t backslashes = 0;
    while (backslashes < i && text[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i;
  }
  return close;
}

// nlohmann's message without its "[json.exception...] parse error at line
// L, column C: " prefix (we report our own position).
std::string parse_reason(const std::string& what) {
  size_t at = what.find("parse error");
  size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

ScenarioError::ScenarioError(std::string source, std::string label, std::string reason,
                             std::string key)
    : std::runtime_error([&] {
        std::string m;
        for (const std::string* part : {&source, &label, &reason}) {
          if (part->empty()) continue;
          m += (m.empty() ? "" : ": ") + *part;
        }
        return m;
      }()),
      source_(std::move(source)),
      label_(std::move(label)),
      reason_(std::move(reason)),
      key_(std::move(key)) {}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    bool rest_is_one = (parts.size() == 1 && parts[0] == "sweep") ||
                       (parts.size() == 2 && is_kafka_map(parts[0] + "." + parts[1]));
    size_t dot = rest_is_one ? std::string::npos : key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

json load_scenario_json(const std::string& text, const std::string& source_name) {
  json doc;
  try {
    doc = json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    // e.byte is the 1-based index of the character the parser stopped at;
    // for an unexpected string that is its closing quote, so step back to
    // where the string starts.
    size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    std::string reason = parse_reason(e.what());
    if (reason.find("unexpected string literal") != std::string::npos) {
      offset = string_start(text, offset);
    }
    auto [line, col] = line_col(text, offset);
    throw ScenarioError(source_name + ":" + std::to_string(line) + ":" + std::to_string(col), "",
                        reason, "");
  } catch (const json::out_of_range& e) {
    // A number too large for a double (3E3333): nlohmann reports it as
    // out_of_range, without a position. (Found by fuzz/scenario_fuzz.cc.)
    throw ScenarioError(source_name, "", std::string("a number is out of range (") + e.what() + ")",
                        "");
  }
  if (!doc.is_object()) {
    throw ScenarioError(source_name, "", "the top level must be a JSON object " + got(doc), "");
  }
  return doc;
}

static Scenario parse_expanded(const json& doc, const std::string& src);

Scenario parse_scenario(const json& doc, const std::string& source_name) {
  const std::string& src = source_name;
  if (!doc.is_object()) {
    throw ScenarioError(src, "", "the top level must be a JSON object " + got(doc), "");
  }
  json expanded = doc;
  expand_shorthands(expanded);
  return parse_expanded(expanded, src);
}

static Scenario parse_expanded(const json& doc, const std::string& src) {
  check_keys(doc, "", src);

  const json* broker = find_path(doc, {"broker"});
  bool use_bootstrap = broker && broker->contains("bootstrap");
  if (use_bootstrap && broker->contains("embedded")) {
    throw ScenarioError(src, "broker",
                        "give broker.embedded or broker.bootstrap, not both (the embedded broker "
                        "or a real cluster)",
                        "broker");
  }

  Scenario s;
  s.source = src;
  s.sweep = parse_sweep(doc, src);
  json resolved = json::object();
  for (const Field& f : schema().fields) {
    // Only the broker kind in use is checked and written.
    if (f.key == "broker.bootstrap" && !use_bootstrap) continue;
    if (f.key.rfind("broker.embedded.", 0) == 0 && use_bootstrap) continue;
    const json* given = find_path(doc, f.parts);
    json value;
    try {
      value = f.rule(given ? *given : f.setting->default_value);
    } catch (const Invalid& e) {
      throw ScenarioError(src, f.key + e.at(), e.what(), f.key);
    }
    if (f.set) f.set(s, value);
    put_path(resolved, f.parts, std::move(value));
  }
  json sweep = json::object();
  for (const auto& axis : s.sweep) sweep[axis.key] = json(axis.values);
  resolved["sweep"] = std::move(sweep);
  try {
    s.faults = parse_faults(doc.value("faults", json()));
  } catch (const FaultError& e) {
    throw ScenarioError(src, e.label(), e.reason(), "faults");
  }
  if (!s.faults.empty()) {
    json faults = json::array();
    for (const auto& f : s.faults) faults.push_back(f.to_json());
    resolved["faults"] = std::move(faults);
  }
  // A relative payload file is the scenario file's neighbour; agents get
  // the absolute path (they may run from another folder).
  json& file = resolved["publisher"]["payload_file"];
  if (!file.get<std::string>().empty()) {
    std::filesystem::path path(file.get<std::string>());
    const std::filesystem::path dir = std::filesystem::path(src).parent_path();
    if (path.is_relative() && std::filesystem::is_regular_file(src)) path = dir / path;
    file = std::filesystem::absolute(path).lexically_normal().string();
    if (s.publisher.payload == "file" && !std::ifstream(file.get<std::string>())) {
      throw ScenarioError(src, "publisher.payload_file",
                          "cannot read " + quote_json(file.get<std::string>()),
                          "publisher.payload_file");
    }
  }
  for (auto& g : resolved["publisher"]["generators"]) {
    if (!g.contains("payload_file") || g["payload_file"].get<std::string>().empty()) continue;
    std::filesystem::path path(g["payload_file"].get<std::string>());
    if (path.is_relative() && std::filesystem::is_regular_file(src))
      path = std::filesystem::path(src).parent_path() / path;
    g["payload_file"] = std::filesystem::absolute(path).lexically_normal().string();
  }
  s.resolved = std::move(resolved);

  check_combinations(s, src);
  // What a fault needs from the step's settings; a swept scenario is checked
  // step by step (expand_steps parses each step without a sweep).
  if (s.sweep.empty()) {
    try {
      check_faults_for_step(s);
    } catch (const FaultError& e) {
      throw ScenarioError(src, e.label(), e.reason(), "faults");
    }
  }
  return s;
}

void set_key(json& doc, const std::string& key, json value) {
  expand_shorthands(doc);
  auto parts = split_key(key);
  if (key.empty() || std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); })) {
    throw ScenarioError("", key.empty() ? "" : key, "not a valid dotted key", key);
  }
  if (!doc.is_object()) throw ScenarioError("", "", "the document is not a JSON object", key);
  // One broker kind at a time: setting one replaces the other.
  auto broker = doc.find("broker");
  if (parts.size() >= 2 && parts[0] == "broker" && broker != doc.end() && broker->is_object()) {
    if (parts[1] == "bootstrap") broker->erase("embedded");
    if (parts[1] == "embedded") broker->erase("bootstrap");
  }
  json* node = &doc;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    json& child = (*node)[parts[i]];
    if (child.is_null()) child = json::object();
    if (!child.is_object()) {
      std::string path = join(parts, ".", i + 1);
      throw ScenarioError("", key, path + " is a value, not an object " + got(child), key);
    }
    node = &child;
  }
  (*node)[parts.back()] = std::move(value);
}

void apply_set(json& doc, const std::string& assignment) {
  const std::string src = "--set " + assignment;
  size_t eq = assignment.find('=');
  if (eq == std::string::npos) throw ScenarioError(src, "", "expected KEY=VALUE", "");
  std::string key = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  if (key.empty()) throw ScenarioError(src, "", "the key before '=' is empty", "");
  expand_shorthands(doc);
  if (key == "sweep.publisher.keys") key = "sweep.publisher.keys.count";

  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const Field* f = schema().find(key);
  if (value.is_discarded() || (f && f->takes_string && !value.is_string())) value = text;

  try {
    set_key(doc, key, std::move(value));
  } catch (const ScenarioError& e) {
    throw ScenarioError(src, e.label(), e.reason(), e.key());
  }

  // Pin: a key the user set is no longer swept. Switching broker kind also
  // drops the other kind's swept keys.
  auto sweep = doc.find("sweep");
  if (split_key(key)[0] == "sweep" || sweep == doc.end() || !sweep->is_object()) return;
  std::vector<std::string> dropped{key};
  if (key == "broker.bootstrap") dropped.push_back("broker.embedded");
  if (key.rfind("broker.embedded", 0) == 0) dropped.push_back("broker.bootstrap");
  std::vector<std::string> remove;
  for (const auto& [swept, values] : sweep->items()) {
    for (const auto& d : dropped)
      if (swept == d || inside(swept, d)) remove.push_back(swept);
  }
  for (const auto& r : remove) sweep->erase(r);
}

json scenario_value(const Scenario& sc, const std::string& key) {
  const Field* f = schema().find(key);
  if (!f) throw std::invalid_argument("\"" + key + "\" is not a scenario setting");
  if (f->get) return f->get(sc);
  if (const json* v = find_path(sc.resolved, f->parts)) return *v;
  return f->setting->default_value;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "", std::string("cannot read: ") + std::strerror(errno), "");
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(path, "", "cannot read: I/O error", "");

  json doc = load_scenario_json(text.str(), path);
  for (const auto& assignment : sets) apply_set(doc, assignment);
  try {
    return parse_scenario(doc, path);
  } catch (const ScenarioError& e) {
    // Blame the --set that brought the bad value in, the last one for the key.
    for (auto it = sets.rbegin(); it != sets.rend(); ++it) {
      std::string set_key_text = it->substr(0, it->find('='));
      if (!e.key().empty() && (set_key_text == e.key() || inside(e.key(), set_key_text) ||
                               inside(set_key_text, e.key()))) {
        throw ScenarioError(path + " with --set " + *it, e.label(), e.reason(), e.key());
      }
    }
    throw;
  }
}

int publisher_agents(const Scenario& sc) {
  const json& gens = scenario_value(sc, "publisher.generators");
  return gens.empty() ? sc.publisher.agents : int(gens.size());
}

double total_publish_rate(const Scenario& sc) {
  double total = 0;
  for (const Scenario& p : publisher_scenarios(sc)) {
    if (p.publisher.rate == 0) return 0;
    total += p.publisher.rate;
  }
  return total;
}

std::vector<Scenario> publisher_scenarios(const Scenario& sc) {
  const json gens = scenario_value(sc, "publisher.generators");
  const int n = publisher_agents(sc);
  std::vector<Scenario> out;
  out.reserve(size_t(n));
  for (int i = 0; i < n; ++i) {
    Scenario p = sc;
    // Each agent's own value of a publisher key: its struct member, when
    // there is one, and the resolved document (the wire configuration reads
    // both through scenario_value).
    auto put = [&p](const std::string& key, const json& value) {
      const Field* f = schema().find(key);
      if (!f) throw std::logic_error("publisher_scenarios: \"" + key + "\" is not a setting");
      if (f->set) f->set(p, value);
      put_path(p.resolved, f->parts, value);
    };
    if (gens.empty()) {
      // publisher.agents identical agents split the rate (0: each unthrottled).
      put("publisher.rate", normalize_rate(sc.publisher.rate / n));
    } else {
      for (const auto& [k, v] : gens[size_t(i)].items()) {
        if (k == "keys") {
          for (const auto& [kk, vv] : v.items()) put("publisher.keys." + kk, vv);
        } else {
          put("publisher." + k, v);
        }
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace hydra
