// A messaging driver: everything Hydra needs from one messaging system, so
// that a transport is one folder plus one line in the registry
// (agents/driver_registry.cc). Kafka (agents/kafka/) is the one today.
//
// Who calls what:
//   - hydra-agent (agents/publisher.cc, agents/subscriber.cc) picks the driver
//     named by the configuration's `driver` field, then calls make_producer /
//     make_consumer, and partition_for_key for keyed messages. A consumer's
//     readiness is ConsumerDriver::ready() (agents/transport.h): the
//     subscriber reports it in status, the controller's barrier waits on it.
//   - the controller (harness/broker_setup.cc) calls make_admin to create or
//     check each step's topic, on the embedded broker or a real cluster.
// The measuring code never sees the messaging system's own API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "agents/transport.h"
#include "common/protocol.h"

namespace hydra {

// The topic a step uses.
struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication = 1;
  bool reuse = false;     // an existing topic is accepted (if big enough)
  int timeout_ms = 5000;  // bounds every request the admin makes
  // Topic configuration entries for creation (topic.config: retention.ms,
  // cleanup.policy, ...); not checked against a reused topic.
  std::map<std::string, std::string> config;
};

// Where an admin works: the cluster at `bootstrap`. An in-process broker
// without an admin API (the embedded one) passes `create_in_process`, which
// creates a topic on it; the driver then uses that instead of its protocol.
struct AdminTarget {
  std::string bootstrap;
  std::function<void(const std::string& name, int partitions, int replication,
                     const std::map<std::string, std::string>& config)>
      create_in_process;
  // The cluster's client properties (broker.kafka: security and the like),
  // over the driver's own.
  std::map<std::string, std::string> properties;
};

// Controller side: makes sure a step's topic exists with its layout.
class TopicAdmin {
 public:
  virtual ~TopicAdmin() = default;
  // Creates the topic, or, when spec.reuse is set and it exists, checks it
  // has at least spec.partitions partitions. Throws std::runtime_error
  // naming what went wrong.
  virtual void ensure_topic(const TopicSpec& spec) = 0;
};

class MessagingDriver {
 public:
  virtual ~MessagingDriver() = default;
  virtual std::string name() const = 0;

  // Agent side. Both throw std::invalid_argument for a bad setting in the
  // configuration and std::runtime_error when the client cannot be made.
  virtual std::unique_ptr<ProducerDriver> make_producer(const proto::PublisherConfig& c,
                                                        DeliveryFn on_delivery) = 0;
  virtual std::unique_ptr<ConsumerDriver> make_consumer(const proto::SubscriberConfig& c,
                                                        int client_id) = 0;
  // The partition (0..partitions-1) a keyed message goes to, as this
  // system's own clients would place it; the same key, the same partition.
  virtual int32_t partition_for_key(std::string_view key, int32_t partitions) const = 0;

  // Controller side.
  virtual std::unique_ptr<TopicAdmin> make_admin(const AdminTarget& target) = 0;
};

}  // namespace hydra
