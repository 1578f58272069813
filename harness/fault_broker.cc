#include "harness/fault_broker.h"

#include <stdexcept>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "broker/broker.h"

namespace hydra {
namespace {

void check(rd_kafka_resp_err_t e, const std::string& what) {
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("mock broker: " + what + ": " + rd_kafka_err2str(e));
}

}  // namespace

void FaultBroker::set_up(int id, bool up) {
  if (auto* c = broker_.cluster()) return c->set_broker_up(id, up);
  auto* m = broker_.mock();
  check(up ? rd_kafka_mock_broker_set_up(m, id) : rd_kafka_mock_broker_set_down(m, id),
        up ? "set_up" : "set_down");
}

void FaultBroker::set_delay(int id, std::chrono::milliseconds delay) {
  for (int b = id ? id : 1; b <= (id ? id : broker_.brokers()); ++b) {
    if (auto* c = broker_.cluster())
      c->set_response_delay(b, delay);
    else
      check(rd_kafka_mock_broker_set_rtt(broker_.mock(), b, int(delay.count())), "set_rtt");
  }
}

void FaultBroker::push_errors(int id, int16_t api_key, int16_t error, int count) {
  if (auto* c = broker_.cluster())
    return c->push_request_errors(id ? id : 1, api_key, error, count);
  const auto errors = std::vector<rd_kafka_resp_err_t>(size_t(count), rd_kafka_resp_err_t(error));
  rd_kafka_mock_push_request_errors_array(broker_.mock(), api_key, errors.size(), errors.data());
}

int FaultBroker::move_leader(const std::string& topic, int partition, int to) {
  const int n = broker_.brokers();
  if (auto* c = broker_.cluster()) {
    if (!to) {
      const int now = c->leader(topic, partition);
      to = now < 1 ? 1 : now % n + 1;
    }
    c->move_leader(topic, partition, to);
    return to;
  }
  // The mock does not say who leads; without to_broker, the partition moves
  // off its initial (round-robin) broker.
  if (!to) to = (partition + 1) % n + 1;
  check(rd_kafka_mock_partition_set_leader(broker_.mock(), topic.c_str(), partition, to),
        "partition_set_leader");
  return to;
}

void FaultBroker::disconnect(int id) {
  for (int b = id ? id : 1; b <= (id ? id : broker_.brokers()); ++b) {
    if (auto* c = broker_.cluster()) {
      c->drop_connections(b);
    } else {
      set_up(b, false);
      set_up(b, true);
    }
  }
}

}  // namespace hydra
