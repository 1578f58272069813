#include "agents/kafka/kafka_producer.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace hydra {

KafkaPropMap KafkaProducer::base_props(const std::string& bootstrap, const KafkaPropMap& defaults) {
  KafkaPropMap base = defaults;
  base["bootstrap.servers"] = bootstrap;
  // Byte counts for pub_net_txrate/rxrate come from client statistics.
  if (!base.count("statistics.interval.ms")) base["statistics.interval.ms"] = "1000";
  return base;
}

KafkaProducer::KafkaProducer(const std::string& bootstrap, const std::string& topic,
                             const KafkaPropMap& defaults, const KafkaPropMap& overrides,
                             DeliveryFn on_delivery)
    : on_delivery_(std::move(on_delivery)) {
  rd_kafka_conf_t* conf = make_kafka_conf(base_props(bootstrap, defaults), overrides);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::on_dr);
  rd_kafka_conf_set_stats_cb(conf, &KafkaProducer::on_stats);
  rd_kafka_conf_set_error_cb(conf, &KafkaProducer::on_error);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create Kafka producer: ") + err);
  }
  rkt_ = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  if (!rkt_) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error("cannot create topic handle for " + topic);
  }
}

KafkaProducer::~KafkaProducer() {
  // Bounded: messages still queued after this are dropped, not waited for.
  rd_kafka_flush(rk_, 2000);
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  rd_kafka_topic_destroy(rkt_);
  rd_kafka_destroy(rk_);
}

SendStatus KafkaProducer::send(int32_t partition, std::string_view key, const void* value,
                               size_t len) {
  // rd_kafka_produce() on a cached topic handle is librdkafka's cheapest path.
  const int rc = rd_kafka_produce(rkt_, partition, RD_KAFKA_MSG_F_COPY, const_cast<void*>(value),
                                  len, key.empty() ? nullptr : key.data(), key.size(), nullptr);
  if (rc == 0) return SendStatus::kOk;
  const rd_kafka_resp_err_t err = rd_kafka_last_error();
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return SendStatus::kQueueFull;
  last_error_ = rd_kafka_err2str(err);
  return SendStatus::kError;
}

int KafkaProducer::flush(int timeout_ms) {
  rd_kafka_flush(rk_, timeout_ms);
  return rd_kafka_outq_len(rk_);
}

int KafkaProducer::partition_count(int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk_, 0, rkt_, &md, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR || !md)
    return -1;
  int n = -1;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
    n = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

void KafkaProducer::on_dr(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (m->err) self->last_error_ = rd_kafka_err2str(m->err);
  self->on_delivery_(m->payload, m->len, m->err == RD_KAFKA_RESP_ERR_NO_ERROR);
}

int KafkaProducer::on_stats(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  auto j = nlohmann::json::parse(json, json + len, nullptr, false);
  if (j.is_object()) {
    // Top-level tx_bytes/rx_bytes: this client's own bytes to/from all brokers.
    self->tx_bytes_.store(j.value("tx_bytes", uint64_t(0)), std::memory_order_relaxed);
    self->rx_bytes_.store(j.value("rx_bytes", uint64_t(0)), std::memory_order_relaxed);
  }
  return 0;  // librdkafka frees json
}

void KafkaProducer::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  self->last_error_ = std::string(rd_kafka_err2name(rd_kafka_resp_err_t(err))) + ": " + reason;
}

}  // namespace hydra
