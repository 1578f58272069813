#include "bench/macro/publisher_bench.h"

#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>

#include "agents/driver_registry.h"
#include "agents/kafka/kafka_config.h"
#include "agents/kafka/kafka_factories.h"
#include "agents/publisher.h"
#include "bench/macro/thread_cpu.h"
#include "common/clock.h"
#include "common/process_usage.h"
#include "common/stats.h"

namespace hydra::bench {
namespace {

constexpr int kMetadataTimeoutMs = 5000;
constexpr int kFlushTimeoutMs = 10000;  // the same bound Hydra's publisher flushes with

// The thread Publisher::start() just made (librdkafka names its own, but a
// new one may not have named itself yet: look again briefly).
int find_sending_thread(const std::set<int>& before) {
  for (int i = 0; i < 20; ++i) {
    const int tid = new_app_thread(before);
    if (tid >= 0) return tid;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return -1;
}

double cpu_seconds_since(uint64_t cpu0_ns) {
  return double(read_process_usage().cpu_ns - cpu0_ns) / 1e9;
}

struct RawCounts {
  uint64_t acked = 0;
  uint64_t failed = 0;
};

void raw_on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* c = static_cast<RawCounts*>(opaque);
  if (m->err)
    ++c->failed;
  else
    ++c->acked;
}

}  // namespace

Measurement run_hydra_publisher(const MacroOptions& o, const std::string& bootstrap,
                                const std::string& topic, int round) {
  Measurement m = new_measurement("publisher", "hydra", round, o.pub_partitions);
  SystemClock clock;
  Publisher pub(builtin_drivers(), clock);
  const nlohmann::json config = {
      {"bootstrap", bootstrap},
      {"topic", topic},
      {"partitions", o.pub_partitions},
      {"rate", 0},  // unthrottled
      {"message_size", o.message_size},
      {"msg_batch", o.poll_every},
      {"acks", "1"},
      {"linger_ms", o.linger_ms},
      {"max_run_s", o.seconds + 30},
      {"kafka", bench_producer_props()},
  };
  try {
    pub.configure(config);
    const uint64_t cpu0 = read_process_usage().cpu_ns;
    const std::set<int> before = app_threads();
    pub.start();
    const int tid = find_sending_thread(before);
    const int64_t thread0 = thread_cpu_ns(tid);
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    const int64_t thread1 = thread_cpu_ns(tid);
    const uint64_t sent = pub.stats({{"histograms", false}}).at("publisher").at("sent");
    if (thread0 >= 0 && thread1 >= thread0) {
      m.thread_cpu_s = double(thread1 - thread0) / 1e9;
      m.thread_messages = sent;
    }
    pub.stop();  // returns once the sending thread has flushed (bounded)
    const int64_t done_ns = wall_ns();
    m.cpu_s = cpu_seconds_since(cpu0);
    const nlohmann::json st = pub.stats({{"histograms", true}});
    const PublisherStats s = PublisherStats::from_json(st.at("publisher"));
    m.messages = s.acked;
    m.queue_full = s.queue_full;
    m.span_ns = s.first_send_ns > 0 ? done_ns - s.first_send_ns : 0;
    m.error = st.value("error", "");
    if (s.failed)
      m.error += (m.error.empty() ? "" : "; ") + std::to_string(s.failed) + " delivery failures";
  } catch (const std::exception& e) {
    m.error = e.what();
  }
  return m;
}

Measurement run_raw_publisher(const MacroOptions& o, const std::string& bootstrap,
                              const std::string& topic, int round) {
  Measurement m = new_measurement("publisher", "raw", round, o.pub_partitions);
  RawCounts counts;
  proto::PublisherConfig same;  // the raw loop gets Hydra's own defaults
  same.acks = "1";
  same.linger_ms = o.linger_ms;
  KafkaPropMap props = publisher_kafka_defaults(same);
  props["bootstrap.servers"] = bootstrap;
  rd_kafka_conf_t* conf = nullptr;
  try {
    conf = make_kafka_conf(props, bench_producer_props());
  } catch (const std::exception& e) {
    m.error = e.what();
    return m;
  }
  rd_kafka_conf_set_opaque(conf, &counts);
  rd_kafka_conf_set_dr_msg_cb(conf, &raw_on_delivery);
  char err[512];
  const uint64_t cpu0 = read_process_usage().cpu_ns;
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    m.error = std::string("cannot create producer: ") + err;
    return m;
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  // Hydra's start() waits for the topic's metadata before its first send;
  // so does this, so neither side times connection setup.
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, kMetadataTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR)
    rd_kafka_metadata_destroy(md);

  std::vector<uint8_t> value(size_t(o.message_size));
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& b : value) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // incompressible, like Hydra's body
    b = uint8_t(x);
  }
  const int32_t partitions = o.pub_partitions;
  const int batch = o.poll_every;
  int32_t partition = 0;
  uint64_t sent = 0;
  const int tid = this_thread_id();
  const int64_t thread0 = thread_cpu_ns(tid);
  const int64_t first_ns = wall_ns();
  const int64_t end_mono = mono_ns() + int64_t(o.seconds * 1e9);
  bool failed = false;
  while (!failed) {
    for (int i = 0; i < batch; ++i) {
      while (rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, value.data(), value.size(),
                              nullptr, 0, nullptr) != 0) {
        const rd_kafka_resp_err_t e = rd_kafka_last_error();
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          m.error = std::string("produce: ") + rd_kafka_err2str(e);
          failed = true;
          break;
        }
        ++m.queue_full;
        rd_kafka_poll(rk, 1);
      }
      if (failed) break;
      ++sent;
      if (++partition == partitions) partition = 0;
    }
    rd_kafka_poll(rk, 0);
    if (mono_ns() >= end_mono) break;
  }
  const int64_t thread1 = thread_cpu_ns(tid);
  if (thread0 >= 0 && thread1 >= thread0) {
    m.thread_cpu_s = double(thread1 - thread0) / 1e9;
    m.thread_messages = sent;
  }
  rd_kafka_flush(rk, kFlushTimeoutMs);
  const int64_t done_ns = wall_ns();
  m.cpu_s = cpu_seconds_since(cpu0);
  const int outstanding = rd_kafka_outq_len(rk);
  if (outstanding > 0 && m.error.empty())
    m.error = std::to_string(outstanding) + " messages unacknowledged after " +
              std::to_string(kFlushTimeoutMs / 1000) + " s";
  if (counts.failed)
    m.error += (m.error.empty() ? "" : "; ") + std::to_string(counts.failed) + " delivery failures";
  m.messages = counts.acked;
  m.span_ns = done_ns - first_ns;
  rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk, 0);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return m;
}

}  // namespace hydra::bench
