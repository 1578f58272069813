#include "harness/broker_setup.h"

namespace hydra {

BrokerSetup::BrokerSetup(std::unique_ptr<MessagingDriver> driver) : driver_(std::move(driver)) {}

BrokerSetup::~BrokerSetup() = default;

std::pair<std::string, std::string> BrokerSetup::prepare(const Scenario& sc) {
  const auto layout = std::make_pair(sc.topic.partitions, sc.topic.replication);
  TopicSpec spec;
  spec.partitions = sc.topic.partitions;
  spec.replication = sc.topic.replication;
  spec.reuse = sc.topic.reuse;
  spec.timeout_ms = int(sc.control_timeout_s * 1000);
  AdminTarget target;
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
    target.create_in_process = [broker](const std::string& name, int partitions, int replication) {
      broker->create_topic(name, partitions, replication);
    };
  }
  spec.name = topic_name(sc.topic.name, layout);
  if (!topics_.count(spec.name)) {
    driver_->make_admin(target)->ensure_topic(spec);
    topics_[spec.name] = layout;
  }
  return {target.bootstrap, spec.name};
}

std::string BrokerSetup::topic_name(const std::string& base, std::pair<int, int> layout) {
  if (!first_layout_) first_layout_ = layout;
  if (*first_layout_ == layout) return base;
  return base + "-p" + std::to_string(layout.first) + "-r" + std::to_string(layout.second);
}

}  // namespace hydra
