#include "agents/kafka/kafka_consumer.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <poll.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/clock.h"
#include "common/topics.h"

namespace hydra {
namespace {
// How long a groups "none" consumer keeps trying to learn where to start.
constexpr int64_t kAssignTimeoutMs = 30'000;
}  // namespace

KafkaPropMap KafkaConsumer::default_props(const KafkaConsumerOptions& opts) {
  // The queue budget. librdkafka pre-fetches up to 64 MB per consumer by
  // default; with hundreds of clients per machine that alone could exhaust
  // memory. Each agent gets 512 MB, split over its clients, 4..64 MB each
  // (5 MB at the default 100 clients per agent, 51 MB at HYDRA's 10). Not
  // smaller: librdkafka 2.0 stops fetching for a fixed second whenever a
  // consumer's queue crosses its limit, which a small limit turns into
  // stalls and loss at high rates (measured with bench/macro: 98.9 % loss at
  // 1 M msg/s with 2 MB). 5 MB still holds seconds of a HYDRA grid client's
  // stream (3,000 msg/s of 100 B).
  // It is a ceiling, not what a client holds: a client that keeps up has an
  // almost empty queue, and its memory is the consumer itself (0.4 MiB of
  // RSS per client at 100 per agent, 1.5 MiB at 10, with bench/fanout; the
  // agent's own share shrinks with more clients). Only clients that fall
  // behind fill their queues, so the worst case is 512 MB per agent plus
  // that; lower it with queued.max.messages.kbytes in subscribers.kafka when
  // many agents share a machine that falls behind.
  constexpr int kAgentBudgetKb = 512 * 1024;
  const int per_client_kb =
      std::clamp(kAgentBudgetKb / std::max(1, opts.clients_in_process), 4096, 65536);
  // Only a shared group's members commit (see the header for the modes).
  const bool auto_commit =
      opts.shared_group && (opts.commit == "auto" || opts.commit == "after-process");
  return {
      {"bootstrap.servers", opts.bootstrap},
      {"group.id", opts.group_id},
      {"enable.auto.commit", auto_commit ? "true" : "false"},
      {"enable.auto.offset.store",
       opts.shared_group && opts.commit == "after-process" ? "false" : "true"},
      {"isolation.level", opts.read_committed ? "read_committed" : "read_uncommitted"},
      {"auto.offset.reset", "latest"},
      {"enable.partition.eof", "false"},
      {"queued.max.messages.kbytes", std::to_string(per_client_kb)},
      // fetch.wait.max.ms stays librdkafka's: a broker that wakes a waiting
      // fetch on new data adds no latency by it. Against librdkafka's mock
      // cluster (which does not) the controller sets 10 ms
      // (harness/wire_config.cc).
  };
}

KafkaConsumer::KafkaConsumer(const KafkaConsumerOptions& opts) : opts_(opts) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0)
    throw std::runtime_error(std::string("cannot set up the Kafka consumer's queue: ") +
                             std::strerror(errno));
  try {
    start_client();
  } catch (...) {
    ::close(wake_fd_);
    throw;
  }
}

void KafkaConsumer::start_client() {
  rd_kafka_conf_t* conf = make_kafka_conf(default_props(opts_), opts_.overrides);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaConsumer::on_rebalance);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create Kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(rk_);
  queue_ = rd_kafka_queue_get_consumer(rk_);
  if (!queue_) {
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
    throw std::runtime_error("cannot set up the Kafka consumer's queue");
  }
  // librdkafka writes this when the queue goes from empty to non-empty (an
  // eventfd takes an 8-byte count).
  const uint64_t one = 1;
  rd_kafka_queue_io_event_enable(queue_, wake_fd_, &one, sizeof one);
  if (opts_.manual_assign) {
    try {
      assign_all_at_end();
    } catch (...) {
      destroy_client(/*leave=*/false);
      throw;
    }
    return;
  }
  // Every topic of the list (topic.count, common/topics.h).
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  for (const std::string& name : split_topics(opts_.topic))
    rd_kafka_topic_partition_list_add(topics, name.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    destroy_client(/*leave=*/false);
    throw std::runtime_error(std::string("cannot subscribe to ") + opts_.topic + ": " +
                             rd_kafka_err2str(e));
  }
}

void KafkaConsumer::destroy_client(bool leave) {
  drop_batch();
  if (queue_) {
    rd_kafka_queue_io_event_enable(queue_, -1, nullptr, 0);
    rd_kafka_queue_destroy(queue_);
    queue_ = nullptr;
  }
  if (!rk_) return;
  if (leave) {
    // Commits and leaves the group so the others take over at once.
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  } else {
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
  rk_ = nullptr;
}

bool KafkaConsumer::crash_and_rejoin() {
  if (closed_ || !opts_.shared_group) return false;
  ready_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(mu_);
    assigned_.clear();
  }
  // The crash strikes at the moment the commit mode is exposed to. For
  // at-most-once that is with a committed batch not yet counted: when none is
  // in hand, the member takes the next one (waiting up to 200 ms), commits
  // it, and dies. (For at-least-once it is the counted messages whose offsets
  // the auto-commit has not sent yet, which any moment has.)
  if (opts_.commit == "before-process" && next_ >= count_) {
    drop_batch();
    const ssize_t n = rd_kafka_consume_batch_queue(queue_, 200, batch_, kBatch);
    if (n > 0) {
      count_ = int(n);
      commit_batch();
    }
  }
  // Its partitions are nobody's until the group notices (session timeout)
  // and hands them out again: that is this member's pause.
  pause_begins(wall_ns());
  destroy_client(/*leave=*/false);
  try {
    start_client();
  } catch (...) {
    closed_ = true;
    ::close(wake_fd_);
    wake_fd_ = -1;
    return false;
  }
  return true;
}

KafkaConsumer::~KafkaConsumer() {
  close();
}

void KafkaConsumer::close() {
  if (closed_) return;
  closed_ = true;
  ready_.store(false, std::memory_order_release);
  // A per-client group has nobody to hand over to: skip the leave/commit
  // round trips, which matter when hundreds of clients stop at once.
  destroy_client(/*leave=*/opts_.shared_group);
  ::close(wake_fd_);
  wake_fd_ = -1;
}

void KafkaConsumer::drop_batch() {
  // The one handed out last and those never handed out.
  for (int i = std::max(0, next_ - 1); i < count_; ++i)
    if (batch_[i]) rd_kafka_message_destroy(batch_[i]);
  count_ = next_ = 0;
}

bool KafkaConsumer::poll(int timeout_ms, Received& out) {
  if (next_ > 0) {
    const rd_kafka_message_t* done = batch_[next_ - 1];
    // The caller asks for the next message only once it has counted this
    // one: at-least-once stores its offset for the auto-commit now.
    if (opts_.shared_group && opts_.commit == "after-process" && !done->err)
      rd_kafka_offset_store(done->rkt, done->partition, done->offset);
    rd_kafka_message_destroy(batch_[next_ - 1]);
    batch_[next_ - 1] = nullptr;
  }
  if (closed_) return false;
  if (next_ >= count_) {
    count_ = next_ = 0;
    // With a timeout of 0 the call returns at once with what is queued
    // (with one above 0 it would wait for a full batch).
    ssize_t n = rd_kafka_consume_batch_queue(queue_, 0, batch_, kBatch);
    if (n <= 0) {
      // Empty: clear the wake-up, then look once more. A message enqueued
      // in between is taken now; one enqueued after signals the fd again,
      // so a waiting loop never sleeps on a non-empty queue. One read per
      // wake-up, not one per batch.
      uint64_t v;
      (void)!::read(wake_fd_, &v, sizeof v);
      n = rd_kafka_consume_batch_queue(queue_, 0, batch_, kBatch);
      if (n <= 0 && timeout_ms > 0) {
        pollfd p{wake_fd_, POLLIN, 0};
        ::poll(&p, 1, timeout_ms);
        (void)!::read(wake_fd_, &v, sizeof v);
        n = rd_kafka_consume_batch_queue(queue_, 0, batch_, kBatch);
      }
    }
    if (n <= 0) return false;
    // Once, after the batch is in hand: every message in it arrived before.
    batch_ns_ = wall_ns();
    count_ = int(n);
    if (opts_.shared_group && opts_.commit == "before-process" && !commit_batch()) {
      // Not committed (a rebalance is under way, say): counting it now
      // would make a duplicate of it when the partition's next owner reads
      // from the last commit. It is not counted; its partitions go back to
      // its first offsets, so it is fetched (and committed) again if they
      // stay here.
      rewind_batch();
      return false;
    }
  }
  const rd_kafka_message_t* m = batch_[next_++];
  out.value = m->payload;
  out.len = m->len;
  out.topic = m->rkt ? std::string_view(rd_kafka_topic_name(m->rkt)) : std::string_view();
  out.partition = m->partition;
  out.offset = m->offset;
  out.error = m->err != RD_KAFKA_RESP_ERR_NO_ERROR;
  out.errstr = out.error ? std::string_view(rd_kafka_message_errstr(m)) : std::string_view();
  out.recv_ns = batch_ns_;
  return true;
}

bool KafkaConsumer::seek_to_end(int timeout_ms) {
  if (closed_) return false;
  drop_batch();
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return false;
  bool ok = true;
  for (int i = 0; i < parts->cnt; ++i) {
    int64_t lo = 0, hi = 0;
    // Between steps the publisher is stopped and this client has drained, so
    // the high watermark its last fetch response carried is the end of the
    // log. Asking the broker instead queues behind this connection's waiting
    // fetch (up to fetch.wait.max.ms on a broker that long-polls), once per
    // client, one client after another on its loop thread.
    if (rd_kafka_get_watermark_offsets(rk_, parts->elems[i].topic, parts->elems[i].partition, &lo,
                                       &hi) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        hi >= 0) {
      parts->elems[i].offset = hi;
    } else if (rd_kafka_query_watermark_offsets(rk_, parts->elems[i].topic,
                                                parts->elems[i].partition, &lo, &hi,
                                                timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      parts->elems[i].offset = hi;
    } else {
      ok = false, parts->elems[i].offset = RD_KAFKA_OFFSET_END;
    }
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

bool KafkaConsumer::watermarks(std::string_view topic, int32_t partition, int64_t* log_start,
                               int64_t* log_end) const {
  if (!rk_) return false;
  int64_t lo = -1, hi = -1;
  // The cached values: librdkafka updates both from every fetch response.
  if (rd_kafka_get_watermark_offsets(rk_, std::string(topic).c_str(), partition, &lo, &hi) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      lo < 0 || hi < 0)
    return false;
  *log_start = lo;
  *log_end = hi;
  return true;
}

std::vector<int32_t> KafkaConsumer::assigned() const {
  std::lock_guard lock(mu_);
  return assigned_;
}

void KafkaConsumer::position_at_end(rd_kafka_topic_partition_list_t* parts) {
  if (opts_.shared_group) rd_kafka_committed(rk_, parts, 5000);
  rd_kafka_topic_partition_list_t* fresh = rd_kafka_topic_partition_list_new(parts->cnt);
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
    if (p.offset >= 0)
      rd_kafka_topic_partition_list_add(fresh, p.topic, p.partition)->offset = p.offset;
  }
  // The group's first position of a partition is committed at once: a
  // member taking it over later must resume here, not at a later end of the
  // log (which would lose what was sent in between).
  if (opts_.shared_group && opts_.commit != "none" && fresh->cnt > 0)
    rd_kafka_commit(rk_, fresh, /*async=*/0);
  rd_kafka_topic_partition_list_destroy(fresh);
}

void KafkaConsumer::rewind_batch() {
  rd_kafka_topic_partition_list_t* back = rd_kafka_topic_partition_list_new(4);
  for (int i = 0; i < count_; ++i) {
    const rd_kafka_message_t* m = batch_[i];
    if (m->err) continue;
    rd_kafka_topic_partition_t* p =
        rd_kafka_topic_partition_list_find(back, rd_kafka_topic_name(m->rkt), m->partition);
    if (!p) {
      p = rd_kafka_topic_partition_list_add(back, rd_kafka_topic_name(m->rkt), m->partition);
      p->offset = m->offset;
    }
    p->offset = std::min<int64_t>(p->offset, m->offset);
  }
  drop_batch();
  // Fails for partitions already revoked: their next owner reads them.
  if (back->cnt > 0)
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(rk_, back, 1000)) rd_kafka_error_destroy(e);
  rd_kafka_topic_partition_list_destroy(back);
}

bool KafkaConsumer::commit_batch() {
  // The next offset of each partition in the batch, committed before any of
  // it is counted: a crash from here on loses the rest of the batch.
  rd_kafka_topic_partition_list_t* offs = rd_kafka_topic_partition_list_new(4);
  for (int i = 0; i < count_; ++i) {
    const rd_kafka_message_t* m = batch_[i];
    if (m->err) continue;
    rd_kafka_topic_partition_t* p =
        rd_kafka_topic_partition_list_find(offs, rd_kafka_topic_name(m->rkt), m->partition);
    if (!p) p = rd_kafka_topic_partition_list_add(offs, rd_kafka_topic_name(m->rkt), m->partition);
    p->offset = std::max<int64_t>(p->offset, m->offset + 1);
  }
  bool ok = true;
  if (offs->cnt > 0) {
    ok = rd_kafka_commit(rk_, offs, /*async=*/0) == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int i = 0; ok && i < offs->cnt; ++i) ok = !offs->elems[i].err;
  }
  rd_kafka_topic_partition_list_destroy(offs);
  return ok;
}

void KafkaConsumer::pause_begins(int64_t now_ns) {
  std::lock_guard lock(mu_);
  if (!paused_.empty() && paused_.back().end_ns == 0) return;  // already paused
  paused_.push_back({now_ns, 0});
}

void KafkaConsumer::pause_ends(int64_t now_ns) {
  std::lock_guard lock(mu_);
  if (!paused_.empty() && paused_.back().end_ns == 0) paused_.back().end_ns = now_ns;
}

std::vector<PausedSpan> KafkaConsumer::paused_spans() const {
  std::lock_guard lock(mu_);
  return paused_;
}

void KafkaConsumer::mark_assigned(const rd_kafka_topic_partition_list_t* parts) {
  std::vector<int32_t> ids;
  for (int i = 0; i < parts->cnt; ++i) ids.push_back(parts->elems[i].partition);
  {
    std::lock_guard lock(mu_);
    assigned_ = std::move(ids);
  }
  ready_.store(true, std::memory_order_release);
}

void KafkaConsumer::assign_all_at_end() {
  // The partition count from the cluster's metadata, then every partition at
  // the end of its log as an explicit offset: no group protocol, and no
  // "latest" left for librdkafka to resolve later (a message produced before
  // that would be skipped), so ready() is true as soon as this returns.
  // Hundreds of clients connecting at once see refused connections and slow
  // answers: each step is retried until one deadline, then the client fails
  // naming the step.
  const int64_t deadline = mono_ns() + kAssignTimeoutMs * 1'000'000;
  auto left_ms = [&] { return int(std::max<int64_t>(1, (deadline - mono_ns()) / 1'000'000)); };
  auto retry_or_throw = [&](const std::string& what, rd_kafka_resp_err_t e) {
    if (mono_ns() >= deadline)
      throw std::runtime_error("groups none: " + what + " within " +
                               std::to_string(kAssignTimeoutMs / 1000) +
                               " s: " + rd_kafka_err2str(e));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  };
  // Every partition of every topic of the list (topic.count, common/topics.h).
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  for (const std::string& topic : split_topics(opts_.topic)) {
    int partitions = 0;
    for (;;) {
      rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
      const rd_kafka_metadata_t* md = nullptr;
      rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, t, &md, std::min(5000, left_ms()));
      rd_kafka_topic_destroy(t);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1) {
          e = md->topics[0].err;
          if (e == RD_KAFKA_RESP_ERR_NO_ERROR) partitions = md->topics[0].partition_cnt;
        }
        rd_kafka_metadata_destroy(md);
      }
      if (partitions > 0) break;
      try {
        retry_or_throw("no partitions of " + topic, e);
      } catch (...) {
        rd_kafka_topic_partition_list_destroy(parts);
        throw;
      }
    }
    for (int p = 0; p < partitions; ++p) {
      int64_t lo = 0, hi = 0;
      rd_kafka_resp_err_t e;
      while ((e = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), p, &lo, &hi,
                                                   std::min(5000, left_ms()))) !=
             RD_KAFKA_RESP_ERR_NO_ERROR) {
        try {
          retry_or_throw("no end offset of " + topic + " [" + std::to_string(p) + "]", e);
        } catch (...) {
          rd_kafka_topic_partition_list_destroy(parts);
          throw;
        }
      }
      rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = hi;
    }
  }
  const rd_kafka_resp_err_t e = rd_kafka_assign(rk_, parts);
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR) mark_assigned(parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("groups none: cannot assign " + opts_.topic + ": " +
                             rd_kafka_err2str(e));
}

void KafkaConsumer::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                 rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->position_at_end(parts);
    rd_kafka_assign(rk, parts);
    self->mark_assigned(parts);
    self->pause_ends(wall_ns());
  } else {
    // Partitions taken away: paused until the group assigns again (a
    // member that held none is paused as well, the group being rebalanced).
    self->pause_begins(wall_ns());
    self->ready_.store(false, std::memory_order_release);
    {
      std::lock_guard lock(self->mu_);
      self->assigned_.clear();
    }
    rd_kafka_assign(rk, nullptr);
  }
}

}  // namespace hydra
