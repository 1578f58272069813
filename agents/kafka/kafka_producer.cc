#include "agents/kafka/kafka_producer.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/topics.h"

namespace hydra {
namespace {

// Bounds of the calls that wait on the transaction coordinator.
constexpr int kTxnInitTimeoutMs = 10000;
constexpr int kTxnCommitTimeoutMs = 10000;

}  // namespace

bool KafkaProducer::is_transactional(const KafkaPropMap& defaults, const KafkaPropMap& overrides) {
  std::string txn_id;
  for (const KafkaPropMap* props : {&defaults, &overrides})
    if (const auto it = props->find("transactional.id"); it != props->end()) txn_id = it->second;
  return !txn_id.empty();
}

KafkaPropMap KafkaProducer::base_props(const std::string& bootstrap, const KafkaPropMap& defaults,
                                       const KafkaPropMap& overrides) {
  KafkaPropMap base = defaults;
  base["bootstrap.servers"] = bootstrap;
  // Transactions need idempotence; Hydra's default turns it off (duplicates
  // are measured), so a transactional producer gets it back unless the
  // properties say otherwise (then librdkafka names the conflict).
  if (is_transactional(defaults, overrides) && !overrides.count("enable.idempotence"))
    base["enable.idempotence"] = "true";
  // Byte counts for pub_net_txrate/rxrate come from client statistics.
  if (!base.count("statistics.interval.ms")) base["statistics.interval.ms"] = "1000";
  return base;
}

KafkaProducer::KafkaProducer(const std::string& bootstrap, const std::string& topic,
                             const KafkaPropMap& defaults, const KafkaPropMap& overrides,
                             DeliveryFn on_delivery, int partitions_per_topic)
    : on_delivery_(std::move(on_delivery)),
      partitions_per_topic_(partitions_per_topic),
      transactional_(is_transactional(defaults, overrides)) {
  const std::vector<std::string> topics = split_topics(topic);
  if (topics.empty()) throw std::invalid_argument("topic: must not be empty");
  if (topics.size() > 1 && partitions_per_topic < 1)
    throw std::invalid_argument("several topics need their partition count");
  rd_kafka_conf_t* conf = make_kafka_conf(base_props(bootstrap, defaults, overrides), overrides);
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
  rkt_ = rd_kafka_topic_new(rk_, topics[0].c_str(), nullptr);
  if (!rkt_) {
    rd_kafka_destroy(rk_);
    throw std::runtime_error("cannot create topic handle for " + topics[0]);
  }
  for (size_t i = 1; i < topics.size(); ++i) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, topics[i].c_str(), nullptr);
    if (!t) {
      for (rd_kafka_topic_t* o : more_topics_) rd_kafka_topic_destroy(o);
      rd_kafka_topic_destroy(rkt_);
      rd_kafka_destroy(rk_);
      throw std::runtime_error("cannot create topic handle for " + topics[i]);
    }
    more_topics_.push_back(t);
  }
  if (transactional_) {
    // Finds the transaction coordinator and fences older producers with the
    // same transactional.id; without it every send fails ("Erroneous state").
    if (rd_kafka_error_t* e = rd_kafka_init_transactions(rk_, kTxnInitTimeoutMs)) {
      const std::string why = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
      rd_kafka_topic_destroy(rkt_);
      rd_kafka_destroy(rk_);
      throw std::runtime_error("cannot initialize Kafka transactions: " + why);
    }
  }
}

KafkaProducer::~KafkaProducer() {
  if (txn_open_) {
    // Not committed by a flush: its messages never become visible.
    if (rd_kafka_error_t* e = rd_kafka_abort_transaction(rk_, 2000)) rd_kafka_error_destroy(e);
    txn_open_ = false;
  }
  // Bounded: messages still queued after this are dropped, not waited for.
  rd_kafka_flush(rk_, 2000);
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  for (rd_kafka_topic_t* t : more_topics_) rd_kafka_topic_destroy(t);
  rd_kafka_topic_destroy(rkt_);
  rd_kafka_destroy(rk_);
}

SendStatus KafkaProducer::send(int32_t partition, std::string_view key, const void* value,
                               size_t len) {
  if (transactional_) {
    if (txn_fatal_) return SendStatus::kError;
    if (!txn_open_ && !begin_transaction()) return SendStatus::kError;
  }
  // Several topics: the partition is a stream (common/topics.h).
  rd_kafka_topic_t* rkt = rkt_;
  if (!more_topics_.empty()) {
    const size_t t = size_t(partition / partitions_per_topic_);
    partition %= partitions_per_topic_;
    if (t > 0) rkt = t - 1 < more_topics_.size() ? more_topics_[t - 1] : nullptr;
    if (!rkt) {
      last_error_ = "stream " + std::to_string(partition) + " has no topic";
      return SendStatus::kError;
    }
  }
  // rd_kafka_produce() on a cached topic handle is librdkafka's cheapest path.
  const int rc = rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, const_cast<void*>(value),
                                  len, key.empty() ? nullptr : key.data(), key.size(), nullptr);
  if (rc == 0) {
    if (transactional_) {
      ++txn_messages_;
      maybe_commit();
    }
    return SendStatus::kOk;
  }
  const rd_kafka_resp_err_t err = rd_kafka_last_error();
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return SendStatus::kQueueFull;
  last_error_ = rd_kafka_err2str(err);
  return SendStatus::kError;
}

void KafkaProducer::poll(int timeout_ms) {
  rd_kafka_poll(rk_, timeout_ms);
  if (transactional_) maybe_commit();
}

int KafkaProducer::flush(int timeout_ms) {
  if (transactional_ && txn_open_) {
    // Committing flushes too. Until it is done, the transaction's messages
    // are outstanding: acknowledged, but not visible to read_committed
    // consumers.
    if (!commit_transaction(timeout_ms) && txn_open_)
      return int(std::max<uint64_t>(txn_messages_, 1));
    return rd_kafka_outq_len(rk_);
  }
  rd_kafka_flush(rk_, timeout_ms);
  return rd_kafka_outq_len(rk_);
}

bool KafkaProducer::begin_transaction() {
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(rk_)) {
    fail_transaction(e, "begin");
    return false;
  }
  txn_open_ = true;
  txn_messages_ = 0;
  txn_started_ = std::chrono::steady_clock::now();
  return true;
}

bool KafkaProducer::commit_transaction(int timeout_ms) {
  rd_kafka_error_t* e = rd_kafka_commit_transaction(rk_, timeout_ms);
  if (!e) {
    txn_open_ = false;
    txn_messages_ = 0;
    return true;
  }
  if (rd_kafka_error_is_retriable(e) && !rd_kafka_error_txn_requires_abort(e)) {
    // Timed out: the commit goes on; the next call waits for it again.
    last_error_ = std::string("commit transaction: ") + rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    return false;
  }
  fail_transaction(e, "commit");
  return false;
}

void KafkaProducer::maybe_commit() {
  if (!txn_open_) return;
  const auto age = std::chrono::steady_clock::now() - txn_started_;
  if (txn_messages_ >= txn_max_messages_ || age >= txn_max_age_)
    commit_transaction(kTxnCommitTimeoutMs);
}

// Takes ownership of `e`. An abortable error aborts the transaction (its
// messages are lost to read_committed readers, and counted so); a fatal one
// ends transactions for this producer.
void KafkaProducer::fail_transaction(rd_kafka_error_t* e, const char* what) {
  last_error_ = std::string(what) + " transaction: " + rd_kafka_error_string(e);
  const bool abortable = rd_kafka_error_txn_requires_abort(e);
  if (rd_kafka_error_is_fatal(e)) txn_fatal_ = true;
  rd_kafka_error_destroy(e);
  if (abortable) {
    if (rd_kafka_error_t* a = rd_kafka_abort_transaction(rk_, kTxnCommitTimeoutMs)) {
      last_error_ += std::string("; abort: ") + rd_kafka_error_string(a);
      if (rd_kafka_error_is_fatal(a)) txn_fatal_ = true;
      rd_kafka_error_destroy(a);
    }
  }
  if (abortable || txn_fatal_) {
    txn_open_ = false;
    txn_messages_ = 0;
  }
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
