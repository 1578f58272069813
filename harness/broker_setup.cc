#include "harness/broker_setup.h"

#include <cstdio>
#include <functional>

namespace hydra {

BrokerSetup::BrokerSetup(std::unique_ptr<MessagingDriver> driver) : driver_(std::move(driver)) {}

BrokerSetup::~BrokerSetup() = default;

std::pair<std::string, std::string> BrokerSetup::prepare(const Scenario& sc) {
  const Layout layout{sc.topic.partitions, sc.topic.replication, sc.topic.config};
  TopicSpec spec;
  spec.config = sc.topic.config;
  spec.partitions = sc.topic.partitions;
  spec.replication = sc.topic.replication;
  spec.reuse = sc.topic.reuse;
  spec.timeout_ms = int(sc.control_timeout_s * 1000);
  AdminTarget target;
  target.properties = sc.broker.kafka;
  if (!sc.broker.embedded()) {
    target.bootstrap = sc.broker.bootstrap;
  } else {
    const auto kind = EmbeddedBroker::parse_kind(sc.broker.embedded_kind);
    const std::string listen = scenario_value(sc, "broker.embedded.listen").get<std::string>();
    if (!broker_ || broker_->brokers() != sc.broker.embedded_brokers || broker_->kind() != kind ||
        broker_->listen() != listen) {
      broker_.reset();
      topics_.clear();
      first_layout_.reset();
      broker_ = std::make_unique<EmbeddedBroker>(sc.broker.embedded_brokers, kind, listen);
    }
    target.bootstrap = broker_->bootstrap();
    EmbeddedBroker* broker = broker_.get();
    target.create_in_process = [broker](const std::string& name, int partitions, int replication,
                                        const std::map<std::string, std::string>& config) {
      broker->create_topic(name, partitions, replication, config);
    };
  }
  const std::string base = topic_name(sc.topic.name, layout);
  // topic.count > 1: base-0 .. base-(N-1), handed on as one list
  // (common/topics.h).
  std::string list;
  for (int i = 0; i < sc.topic.count; ++i) {
    spec.name = sc.topic.count == 1 ? base : base + "-" + std::to_string(i);
    if (!topics_.count(spec.name)) {
      driver_->make_admin(target)->ensure_topic(spec);
      topics_[spec.name] = layout;
    }
    list += (list.empty() ? "" : ",") + spec.name;
  }
  return {target.bootstrap, list};
}

std::string BrokerSetup::topic_name(const std::string& base, const Layout& layout) {
  if (!first_layout_) first_layout_ = layout;
  if (*first_layout_ == layout) return base;
  const auto& [partitions, replication, config] = layout;
  std::string name = base + "-p" + std::to_string(partitions) + "-r" + std::to_string(replication);
  if (config != std::get<2>(*first_layout_)) {
    // Another topic.config: a short hash of it tells the topics apart.
    std::string text;
    for (const auto& [k, v] : config) text += k + "=" + v + ";";
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08zx", std::hash<std::string>{}(text)&0xffffffffu);
    name += std::string("-c") + hex;
  }
  return name;
}

}  // namespace hydra
