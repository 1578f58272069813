#include "bench/macro/subscriber_bench.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>

#include "agents/driver_registry.h"
#include "agents/kafka/kafka_config.h"
#include "agents/kafka/kafka_consumer.h"
#include "agents/kafka/kafka_factories.h"
#include "agents/publisher.h"
#include "agents/subscriber_client.h"
#include "agents/subscriber_loop.h"
#include "bench/macro/thread_cpu.h"
#include "common/clock.h"
#include "common/process_usage.h"
#include "common/stats.h"

namespace hydra::bench {
namespace {

using std::chrono::milliseconds;

constexpr int kRequestTimeoutMs = 10000;            // watermarks, commits
constexpr int64_t kJoinTimeoutNs = 20'000'000'000;  // the mock forms a new group in ~3 s
constexpr int64_t kReadTimeoutNs = 30'000'000'000;
constexpr int64_t kStallNs = 2'000'000'000;  // no new message for this long: the read is over
constexpr int64_t kFillTimeoutNs = 10'000'000'000;
// Messages per partition that overfill the mock's ~5 MB log of 100-byte
// values, so every partition ends up holding as much as the mock keeps.
constexpr uint64_t kFillPerPartition = 60'000;

// Both sides' consumer settings: what KafkaConsumer is built from for a
// shared-group client, with the benchmark's overrides.
KafkaConsumerOptions consumer_options(const MacroOptions& o, const std::string& bootstrap,
                                      const std::string& topic, const std::string& group) {
  KafkaConsumerOptions opts;
  opts.bootstrap = bootstrap;
  opts.topic = topic;
  opts.group_id = group;
  opts.shared_group = true;  // resume from the committed offsets (the log start)
  opts.overrides = bench_consumer_overrides(o);
  return opts;
}

rd_kafka_t* new_consumer(const KafkaPropMap& props, const KafkaPropMap& overrides) {
  rd_kafka_conf_t* conf = make_kafka_conf(props, overrides);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create consumer: ") + err);
  }
  return rk;
}

// Commits the backlog's start offsets for `group`, so a member joining it
// reads from there. Bounded by kRequestTimeoutMs.
void commit_start(const MacroOptions& o, const std::string& bootstrap, const Backlog& b,
                  const std::string& group) {
  const KafkaConsumerOptions opts = consumer_options(o, bootstrap, b.topic, group);
  rd_kafka_t* rk = new_consumer(KafkaConsumer::default_props(opts), opts.overrides);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(int(b.start.size()));
  for (size_t p = 0; p < b.start.size(); ++p)
    rd_kafka_topic_partition_list_add(list, b.topic.c_str(), int32_t(p))->offset = b.start[p];
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  std::string error;
  rd_kafka_resp_err_t e = rd_kafka_commit_queue(rk, list, q, nullptr, nullptr);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = rd_kafka_err2str(e);
  } else {
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, kRequestTimeoutMs);
    if (!ev) {
      error = "no answer within " + std::to_string(kRequestTimeoutMs / 1000) + " s";
    } else {
      if (rd_kafka_event_error(ev)) error = rd_kafka_event_error_string(ev);
      if (const auto* res = rd_kafka_event_topic_partition_list(ev))
        for (int i = 0; i < res->cnt && error.empty(); ++i)
          if (res->elems[i].err) error = rd_kafka_err2str(res->elems[i].err);
      rd_kafka_event_destroy(ev);
    }
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  if (!error.empty())
    throw std::runtime_error("cannot commit start offsets for group " + group + ": " + error);
}

// The raw side: a plain subscribed consumer that counts what
// rd_kafka_consumer_poll() returns. It joins its group at once but holds at
// its assignment until go(), so it reads alone.
class RawConsumer {
 public:
  RawConsumer(const MacroOptions& o, const std::string& bootstrap, const Backlog& b,
              const std::string& group, int round)
      : opts_(consumer_options(o, bootstrap, b.topic, group)), expected_(b.messages()) {
    m_ = new_measurement("subscriber", "raw", round, int(b.start.size()));
  }
  ~RawConsumer() {
    cancel();
    if (thread_.joinable()) thread_.join();
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  // True once the group has assigned its partitions (waits up to timeout).
  bool wait_joined(int64_t timeout_ns) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::nanoseconds(timeout_ns), [&] {
      return joined_ || finished_;
    }) && joined_;
  }

  void go() {
    std::lock_guard lock(mu_);
    go_ = true;
    cv_.notify_all();
  }

  // Stops waiting: an unassigned consumer gives up at its next empty poll.
  void cancel() {
    cancelled_.store(true);
    go();
  }

  Measurement finish() {
    if (thread_.joinable()) thread_.join();
    return m_;
  }

 private:
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<RawConsumer*>(opaque);
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, nullptr);
      return;
    }
    {
      std::unique_lock lock(self->mu_);
      self->joined_ = true;
      self->cv_.notify_all();
      self->cv_.wait_for(lock, std::chrono::nanoseconds(kJoinTimeoutNs + kReadTimeoutNs),
                         [&] { return self->go_; });
    }
    self->cpu0_ = read_process_usage().cpu_ns;
    self->thread0_ = thread_cpu_ns(this_thread_id());
    // Offsets unset: librdkafka starts from the committed ones.
    rd_kafka_assign(rk, parts);
  }

  void run() {
    try {
      read();
    } catch (const std::exception& e) {
      m_.error = e.what();
    }
    std::lock_guard lock(mu_);
    finished_ = true;
    cv_.notify_all();
  }

  void read() {
    // The same maps Hydra's KafkaConsumer builds its configuration from.
    rd_kafka_conf_t* conf = make_kafka_conf(KafkaConsumer::default_props(opts_), opts_.overrides);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &RawConsumer::on_rebalance);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(std::string("cannot create consumer: ") + err);
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, opts_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_destroy(rk);
      throw std::runtime_error(std::string("cannot subscribe: ") + rd_kafka_err2str(e));
    }
    // The loop being measured: poll, count, destroy. The clock is read only
    // at the first and the last message and when a poll comes back empty.
    const int64_t give_up = mono_ns() + kJoinTimeoutNs + kReadTimeoutNs;
    uint64_t count = 0, errors = 0, at_last_idle = 0;
    int64_t first_ns = 0, last_ns = 0, idle_since = 0;
    while (count < expected_) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 100);
      if (!msg) {
        const int64_t now = mono_ns();
        if (now >= give_up || cancelled_.load()) break;
        if (count > 0 && count == at_last_idle && now - idle_since >= kStallNs) break;
        if (count != at_last_idle || idle_since == 0) {
          at_last_idle = count;
          idle_since = now;
        }
        continue;
      }
      if (msg->err) {
        ++errors;
      } else {
        if (count == 0) first_ns = wall_ns();
        if (++count == expected_) last_ns = wall_ns();
      }
      rd_kafka_message_destroy(msg);
    }
    const int64_t thread1 = thread_cpu_ns(this_thread_id());
    if (thread0_ >= 0 && thread1 >= thread0_) {
      m_.thread_cpu_s = double(thread1 - thread0_) / 1e9;
      m_.thread_messages = count;
    }
    m_.cpu_s = cpu0_ ? double(read_process_usage().cpu_ns - cpu0_) / 1e9 : 0;
    m_.messages = count;
    if (count < expected_) {
      m_.error = "read " + std::to_string(count) + " of " + std::to_string(expected_) +
                 " messages (" + std::to_string(errors) + " consumer errors)";
      last_ns = wall_ns() - (count ? kStallNs : 0);
    }
    m_.span_ns = first_ns ? last_ns - first_ns : 0;
    rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }

  const KafkaConsumerOptions opts_;
  const uint64_t expected_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool joined_ = false;
  bool go_ = false;
  bool finished_ = false;
  std::atomic<bool> cancelled_{false};
  uint64_t cpu0_ = 0;
  int64_t thread0_ = -1;
  Measurement m_;
};

// The Hydra side: one SubscriberClient reading until it has the whole
// backlog (checked every 50 ms through its snapshot) or stalls.
Measurement read_with_hydra(const MacroOptions& o, const std::string& bootstrap, const Backlog& b,
                            const std::string& group, int round) {
  Measurement m = new_measurement("subscriber", "hydra", round, int(b.start.size()));
  const KafkaConsumerOptions opts = consumer_options(o, bootstrap, b.topic, group);
  SubscriberClient client(
      0, [opts](int) { return std::make_unique<KafkaConsumer>(opts); }, nullptr);
  // The client on a loop of its own, asked through the loop as the agent asks.
  ClientLoop loop({&client});
  auto snapshot = [&]() -> std::optional<ClientStats> {
    std::optional<ClientStats> out;
    if (!loop.call([&] { out = client.snapshot({}); }, milliseconds(5000))) return std::nullopt;
    return out;
  };
  const uint64_t expected = b.messages();
  const std::set<int> before = app_threads();
  loop.start();
  const int64_t join_by = mono_ns() + kJoinTimeoutNs;
  while (!client.ready() && client.error().empty() && mono_ns() < join_by)
    std::this_thread::sleep_for(milliseconds(5));
  if (!client.ready()) {
    m.error = client.error().empty() ? "not assigned within 20 s" : client.error();
    loop.request_stop();
    loop.join();
    return m;
  }
  const uint64_t cpu0 = read_process_usage().cpu_ns;
  // The client's own thread: by now its consumer's threads have named
  // themselves, so it is the one new thread that is not librdkafka's.
  const int tid = new_app_thread(before);
  const int64_t thread0 = thread_cpu_ns(tid);
  const int64_t give_up = mono_ns() + kReadTimeoutNs;
  uint64_t last_count = 0;
  int64_t last_progress = mono_ns();
  for (;;) {
    std::this_thread::sleep_for(milliseconds(50));
    const auto s = snapshot();
    const int64_t now = mono_ns();
    if (!s) {
      m.error = "the client thread did not answer a snapshot";
      break;
    }
    const uint64_t got = s->received - s->errors;
    if (got >= expected) {
      const int64_t thread1 = thread_cpu_ns(tid);
      if (thread0 >= 0 && thread1 >= thread0) {
        m.thread_cpu_s = double(thread1 - thread0) / 1e9;
        m.thread_messages = got;
      }
      break;
    }
    if (got != last_count) {
      last_count = got;
      last_progress = now;
    }
    if (now - last_progress >= kStallNs || now >= give_up) break;
  }
  loop.request_stop();
  loop.join();
  m.cpu_s = double(read_process_usage().cpu_ns - cpu0) / 1e9;
  // After join the snapshot runs on this thread.
  const auto s = snapshot();
  if (s) {
    m.messages = s->received - s->errors;
    m.span_ns = s->first_recv_ns ? s->last_recv_ns - s->first_recv_ns : 0;
    if (m.messages < expected && m.error.empty())
      m.error = "read " + std::to_string(m.messages) + " of " + std::to_string(expected) +
                " messages (" + std::to_string(s->errors) + " consumer errors)";
    if (!s->error.empty()) m.error += (m.error.empty() ? "" : "; ") + s->error;
  }
  return m;
}

}  // namespace

uint64_t Backlog::messages() const {
  uint64_t n = 0;
  for (size_t p = 0; p < start.size(); ++p) n += uint64_t(end[p] - start[p]);
  return n;
}

Backlog fill_backlog(const MacroOptions& o, const std::string& bootstrap,
                     const std::string& topic) {
  SystemClock clock;
  Publisher pub(builtin_drivers(), clock);
  pub.configure({{"bootstrap", bootstrap},
                 {"topic", topic},
                 {"partitions", o.sub_partitions},
                 {"rate", 0},
                 {"message_size", o.message_size},
                 {"msg_batch", o.poll_every},
                 {"acks", "1"},
                 {"linger_ms", o.linger_ms},
                 {"max_run_s", 30},
                 {"kafka", bench_producer_props()}});
  pub.start();
  const uint64_t want = kFillPerPartition * uint64_t(o.sub_partitions);
  const int64_t give_up = mono_ns() + kFillTimeoutNs;
  while (mono_ns() < give_up) {
    std::this_thread::sleep_for(milliseconds(50));
    const auto st = pub.stats({{"histograms", false}});
    if (st.at("publisher").at("sent").get<uint64_t>() >= want) break;
  }
  pub.stop();
  const std::string error = pub.status().value("error", "");
  if (!error.empty()) throw std::runtime_error("filling " + topic + ": " + error);

  Backlog b;
  b.topic = topic;
  rd_kafka_t* rk = new_consumer({{"bootstrap.servers", bootstrap}}, {});
  for (int p = 0; p < o.sub_partitions; ++p) {
    int64_t lo = 0, hi = 0;
    const rd_kafka_resp_err_t e =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, kRequestTimeoutMs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_destroy(rk);
      throw std::runtime_error("watermarks of " + topic + " [" + std::to_string(p) +
                               "]: " + rd_kafka_err2str(e));
    }
    b.start.push_back(lo);
    b.end.push_back(hi);
  }
  rd_kafka_destroy(rk);
  return b;
}

std::vector<Measurement> run_subscriber_round(const MacroOptions& o, const std::string& bootstrap,
                                              const Backlog& backlog, int round) {
  const std::string tag = "macro-r" + std::to_string(round);
  Measurement hydra = new_measurement("subscriber", "hydra", round, int(backlog.start.size()));
  RawConsumer raw(o, bootstrap, backlog, tag + "-raw", round);
  const bool with_hydra = o.only_side != "raw", with_raw = o.only_side != "hydra";
  try {
    commit_start(o, bootstrap, backlog, tag + "-hydra");
    commit_start(o, bootstrap, backlog, tag + "-raw");
  } catch (const std::exception& e) {
    hydra.error = e.what();
    Measurement r = raw.finish();
    r.error = e.what();
    return {hydra, r};
  }
  if (!with_raw) return {read_with_hydra(o, bootstrap, backlog, tag + "-hydra", round)};
  raw.start();  // joins now, alongside Hydra's client, and holds there
  if (!with_hydra) {
    raw.go();
    return {raw.finish()};
  }
  hydra = read_with_hydra(o, bootstrap, backlog, tag + "-hydra", round);
  if (!raw.wait_joined(kJoinTimeoutNs)) {
    raw.cancel();
    Measurement r = raw.finish();
    if (r.error.empty()) r.error = "not assigned within 20 s";
    return {hydra, r};
  }
  raw.go();
  return {hydra, raw.finish()};
}

}  // namespace hydra::bench
