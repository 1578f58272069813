#include "agents/kafka/kafka_consumer.h"

#include <algorithm>
#include <stdexcept>

namespace hydra {

KafkaPropMap KafkaConsumer::default_props(const KafkaConsumerOptions& opts) {
  // librdkafka pre-fetches up to 64 MB per consumer by default; with hundreds
  // of clients per machine that alone would exhaust memory. Each agent gets
  // a budget, split over its clients, 4..64 MB each. Not smaller: librdkafka
  // 2.0 stops fetching for a fixed second whenever a consumer's queue crosses
  // its limit, which a small limit turns into stalls and loss at high rates
  // (measured with bench/macro: 98.9 % loss at 1 M msg/s with 2 MB).
  constexpr int kAgentBudgetKb = 512 * 1024;
  const int per_client_kb =
      std::clamp(kAgentBudgetKb / std::max(1, opts.clients_in_process), 4096, 65536);
  return {
      {"bootstrap.servers", opts.bootstrap},
      {"group.id", opts.group_id},
      {"enable.auto.commit", opts.shared_group ? "true" : "false"},
      {"enable.auto.offset.store", "true"},
      {"auto.offset.reset", "latest"},
      {"enable.partition.eof", "false"},
      {"queued.max.messages.kbytes", std::to_string(per_client_kb)},
      // The mock broker answers an empty fetch only after the full wait (it
      // does not wake on new data), so this bounds its added latency.
      {"fetch.wait.max.ms", "10"},
  };
}

KafkaConsumer::KafkaConsumer(const KafkaConsumerOptions& opts) : opts_(opts) {
  rd_kafka_conf_t* conf = make_kafka_conf(default_props(opts), opts.overrides);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaConsumer::on_rebalance);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create Kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(rk_);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, opts.topic.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error(std::string("cannot subscribe to ") + opts.topic + ": " +
                             rd_kafka_err2str(e));
  }
}

KafkaConsumer::~KafkaConsumer() {
  close();
}

void KafkaConsumer::close() {
  if (closed_) return;
  closed_ = true;
  ready_.store(false, std::memory_order_release);
  if (current_) rd_kafka_message_destroy(current_);
  current_ = nullptr;
  if (opts_.shared_group) {
    // Commits and leaves the group so the others take over at once.
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  } else {
    // A per-client group has nobody to hand over to: skip the leave/commit
    // round trips, which matter when hundreds of clients stop at once.
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
  rk_ = nullptr;
}

bool KafkaConsumer::poll(int timeout_ms, Received& out) {
  if (current_) {
    rd_kafka_message_destroy(current_);
    current_ = nullptr;
  }
  if (closed_) return false;
  current_ = rd_kafka_consumer_poll(rk_, timeout_ms);
  if (!current_) return false;
  out.value = current_->payload;
  out.len = current_->len;
  out.partition = current_->partition;
  out.offset = current_->offset;
  out.error = current_->err != RD_KAFKA_RESP_ERR_NO_ERROR;
  out.errstr = out.error ? std::string_view(rd_kafka_message_errstr(current_)) : std::string_view();
  return true;
}

bool KafkaConsumer::seek_to_end(int timeout_ms) {
  if (closed_) return false;
  if (current_) {
    rd_kafka_message_destroy(current_);
    current_ = nullptr;
  }
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return false;
  bool ok = true;
  for (int i = 0; i < parts->cnt; ++i) {
    int64_t lo = 0, hi = 0;
    if (rd_kafka_query_watermark_offsets(rk_, parts->elems[i].topic, parts->elems[i].partition, &lo,
                                         &hi, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR)
      parts->elems[i].offset = hi;
    else
      ok = false, parts->elems[i].offset = RD_KAFKA_OFFSET_END;
  }
  // A seek also discards what was fetched before it (librdkafka versions
  // its fetch queue), so the backlog is gone, not just skipped over.
  if (rd_kafka_error_t* e = rd_kafka_seek_partitions(rk_, parts, timeout_ms)) {
    rd_kafka_error_destroy(e);
    ok = false;
  }
  for (int i = 0; i < parts->cnt; ++i) ok = ok && !parts->elems[i].err;
  rd_kafka_topic_partition_list_destroy(parts);
  return ok;
}

std::vector<int32_t> KafkaConsumer::assigned() const {
  std::lock_guard lock(mu_);
  return assigned_;
}

void KafkaConsumer::position_at_end(rd_kafka_topic_partition_list_t* parts) {
  if (opts_.shared_group) rd_kafka_committed(rk_, parts, 5000);
  for (int i = 0; i < parts->cnt; ++i) {
    auto& p = parts->elems[i];
    if (opts_.shared_group && p.offset >= 0) continue;  // resume where the group was
    int64_t lo = 0, hi = 0;
    // The end of the log now: the publisher has not started yet (readiness
    // barrier), so reading from here misses nothing it will send.
    if (rd_kafka_query_watermark_offsets(rk_, p.topic, p.partition, &lo, &hi, 5000) ==
        RD_KAFKA_RESP_ERR_NO_ERROR)
      p.offset = hi;
    else
      p.offset = RD_KAFKA_OFFSET_END;
  }
}

void KafkaConsumer::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->position_at_end(parts);
    rd_kafka_assign(rk, parts);
    std::vector<int32_t> ids;
    for (int i = 0; i < parts->cnt; ++i) ids.push_back(parts->elems[i].partition);
    {
      std::lock_guard lock(self->mu_);
      self->assigned_ = std::move(ids);
    }
    self->ready_.store(true, std::memory_order_release);
  } else {
    self->ready_.store(false, std::memory_order_release);
    {
      std::lock_guard lock(self->mu_);
      self->assigned_.clear();
    }
    rd_kafka_assign(rk, nullptr);
  }
}

}  // namespace hydra
