#include "harness/wire_config.h"

namespace hydra {

proto::PublisherConfig publisher_wire_config(const Scenario& sc, const WireTarget& target) {
  proto::PublisherConfig pc;
  pc.bootstrap = target.bootstrap;
  pc.topic = target.topic;
  pc.partitions = sc.topic.partitions;
  pc.producer_id = target.producer_id;
  pc.rate = sc.publisher.rate;
  pc.message_size = sc.publisher.message_size;
  pc.msg_batch = sc.publisher.msg_batch;
  pc.acks = sc.publisher.acks;
  pc.linger_ms = sc.publisher.linger_ms;
  pc.payload = sc.publisher.payload;
  pc.keys = sc.publisher.keys;
  pc.kafka = sc.publisher.kafka;
  // Safety bound: a publisher whose controller vanished stops by itself.
  pc.max_run_s = sc.warmup_s + sc.duration_s + sc.drain_timeout_s + 120;
  return pc;
}

proto::SubscriberConfig subscriber_wire_config(const Scenario& sc, const WireTarget& target,
                                               int first_client, int clients) {
  proto::SubscriberConfig c;
  c.bootstrap = target.bootstrap;
  c.topic = target.topic;
  c.clients = clients;
  c.first_client_id = first_client;
  c.groups = sc.subscribers.groups;
  c.group_prefix = target.group_prefix;
  c.kafka = sc.subscribers.kafka;
  const auto& p = sc.subscribers.processing;
  if (p.kind != "none") {
    c.processing = {{"kind", p.kind},           {"device", p.device},   {"batch", p.batch},
                    {"linger_ms", p.linger_ms}, {"threads", p.threads}, {"window_ms", p.window_ms}};
  }
  return c;
}

}  // namespace hydra
