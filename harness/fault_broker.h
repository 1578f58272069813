// The embedded broker's fault controls as a fault timeline (fault_timeline.h)
// uses them, for either kind of embedded broker (embedded_broker.h): Hydra's
// own (broker/broker.h: down/up, response delay, request errors, leader move,
// dropped connections) and librdkafka's mock cluster (rdkafka_mock.h:
// set_down/set_up, set_rtt, push_request_errors, partition_set_leader).
// Every method throws std::runtime_error (or std::invalid_argument) naming
// what the broker refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "harness/embedded_broker.h"

namespace hydra {

class FaultBroker {
 public:
  explicit FaultBroker(EmbeddedBroker& broker) : broker_(broker) {}

  // broker: 1..N; for set_delay and disconnect 0 means every broker.
  void set_up(int broker, bool up);
  void set_delay(int broker, std::chrono::milliseconds delay);
  // On the mock the errors go to the next `count` requests of that type to
  // any broker (its per-broker call takes no list).
  void push_errors(int broker, int16_t api_key, int16_t error, int count);
  // to_broker 0: the broker after the current leader. Returns the new leader.
  int move_leader(const std::string& topic, int partition, int to_broker);
  // Hydra: every client connection of the broker closes, the broker stays
  // up. Mock (which has no such call): down, then up at once.
  void disconnect(int broker);

 private:
  EmbeddedBroker& broker_;
};

}  // namespace hydra
