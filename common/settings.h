// Scenario settings: the one table of every scenario key (dotted key, type,
// default, rule, one-line documentation, and where its value travels on the
// wire). Everything else is derived from it:
//   - the scenario parser (harness/scenario.cc) checks and fills keys with
//     the rules and defaults here;
//   - the wire configuration (harness/wire_config.cc) copies each knob of an
//     agent role from the resolved scenario under its wire name;
//   - the agents (common/protocol.cc) check a configure request's knobs with
//     the same rules and defaults, so the controller and the agents cannot
//     disagree;
//   - the README's key reference is `settings_markdown()`, compared with the
//     README by tests/harness/settings_test.cc.
// Adding a plain knob is one row in settings.cc, plus the member in the
// agent's config struct (common/protocol.h) and the code that uses it.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hydra::settings {

using json = nlohmann::ordered_json;

// Limits shared by the scenario rules and by code that sizes things.
inline constexpr int kHeaderSize = 40;  // MessageHeader::kSize (common/message_header.h)
inline constexpr int kSensorRecordSize = 64;
// librdkafka (with its default message.max.bytes of 1,000,000) refuses a
// record whose value + key + 36 bytes of record overhead exceed 1,000,000
// (measured with librdkafka 2.0.2: a 999,964-byte value with no key is
// accepted, 999,965 is MSG_SIZE_TOO_LARGE). 999,900 leaves room for Hydra's
// longest key ("key-2147483647", 14 bytes).
inline constexpr int kMaxMessageSize = 999'900;
// Subscriber clients one agent process hosts (each has its own consumer and
// thread).
inline constexpr int kMaxClientsPerAgent = 10'000;

// Which agent role's configure request a setting's value goes to.
enum class Role {
  kController,  // used by the controller only; not sent
  kPublisher,   // proto::PublisherConfig
  kSubscriber,  // proto::SubscriberConfig
  kProcessing,  // proto::SubscriberConfig::processing (sent when kind != "none")
};
const char* role_name(Role r);

// A value a rule refuses; `what()` is the reason ("must be ... (got ...)"),
// to which the caller adds where the value came from.
class Invalid : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // Invalid(at, why): the refused value is inside the setting's value (an
  // entry of an array setting): `at` ("[1].rate") is appended to the key in
  // the message, so it names "publisher.generators[1].rate".
  Invalid(std::string at, const std::string& why) : std::runtime_error(why), at_(std::move(at)) {}
  const std::string& at() const { return at_; }

 private:
  std::string at_;
};

// The publisher.* settings an entry of publisher.generators may override
// (every publisher setting sent to the agent but publisher.transactional,
// which also decides how the subscribers read), as keys after "publisher.".
bool generator_key(std::string_view leaf);

// Checks one value and returns it normalized (whole numbers as integers, acks
// as a string, librdkafka properties as strings); throws Invalid.
struct Rule {
  std::string allowed;  // what the value must be, e.g. "an integer in 1..1024"
  std::function<json(const json&)> check;
};

struct Setting {
  std::string key;   // dotted scenario key, e.g. "publisher.linger_ms"
  std::string type;  // "integer", "number", "string", "boolean" or "object"
  Rule rule;
  json default_value;
  std::string doc;  // one line for the README
  Role role = Role::kController;
  std::string wire;  // field name in the role's config; empty for the controller

  // A --set value is taken as text (string settings other than acks).
  bool takes_string() const { return type == "string" && key != "publisher.acks"; }
};

// Every setting, in the order of the README table and of the resolved
// scenario.
const std::vector<Setting>& all();
const Setting* find(std::string_view key);
const Setting* find_wire(Role role, std::string_view wire);

// The rule of one librdkafka property under publisher.kafka or
// subscribers.kafka (a string, number or boolean; kept as a string).
const Rule& kafka_value_rule();

// The README's key reference: a Markdown table, one row per setting.
std::string settings_markdown();

}  // namespace hydra::settings
