// The broker and topics of a run, for `hydra run`: the embedded broker is
// started once and restarted only when a step asks for another broker count
// or kind;
// each distinct (partitions, replication) layout gets its own topic, created
// (or, on a real cluster with topic.reuse, checked) through the messaging
// driver's admin (agents/driver.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "agents/driver.h"
#include "harness/embedded_broker.h"
#include "harness/scenario.h"

namespace hydra {

class BrokerSetup {
 public:
  // `driver`: the messaging driver the run's topics are made with.
  explicit BrokerSetup(std::unique_ptr<MessagingDriver> driver);
  ~BrokerSetup();

  // Returns the bootstrap servers for the step and the topic to use. Throws
  // std::runtime_error (or std::invalid_argument for an impossible layout)
  // naming what went wrong.
  std::pair<std::string, std::string> prepare(const Scenario& sc);
  // The embedded broker the last prepare() started or kept; null when the
  // step runs on a real cluster (a fault timeline acts on it).
  EmbeddedBroker* embedded() { return broker_.get(); }

 private:
  // The scenario's topic name for the first layout; a suffixed name for any
  // other, so a sweep over partitions never reuses a topic of another shape.
  // (partitions, replication, topic.config): a step with other topic
  // configuration gets its own topic too.
  using Layout = std::tuple<int, int, std::map<std::string, std::string>>;
  std::string topic_name(const std::string& base, const Layout& layout);

  std::unique_ptr<MessagingDriver> driver_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::map<std::string, Layout> topics_;
  std::optional<Layout> first_layout_;
};

}  // namespace hydra
