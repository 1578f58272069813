// hydra_broker_bench: the embedded broker kinds ("hydra", Hydra's own;
// "mock", librdkafka's mock cluster) under the load Hydra puts on them,
// measured with raw librdkafka clients only (no Hydra agent code), a fresh
// `hydra broker` process per point. README.md ("The embedded broker")
// shows a run.
//
// - fan-out: one producer at a fixed rate R (100-byte messages, acks=1,
//   linger.ms 5), N consumers each its own rd_kafka_t and own group, one
//   partition: fraction of the expected N x sent deliveries that arrive,
//   delivered msg/s, and the hydra/mock ratio;
// - end-to-end latency p50/p99 at 10 x 1000 (fetch.wait.max.ms: librdkafka's
//   default on hydra, 10 ms on mock as Hydra sets it there);
// - broker CPU with idle consumers;
// - one unthrottled producer's rate and what retention removed (the
//   partition's low watermark after the run).
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>

#include "broker_process.h"

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace hydra::bench {
namespace {

struct Options {
  std::vector<std::pair<int, int>> points;  // (consumers, msg/s)
  double seconds = 5;
  double drain_s = 5;
  std::vector<std::string> kinds{"hydra", "mock"};
  std::string hydra;
  int idle_consumers = 100;
  double idle_s = 5;
  double producer_s = 10;
  int producer_rounds = 3;
  bool latency = true, idle = true, producer = true;
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

rd_kafka_conf_t* make_conf(const std::map<std::string, std::string>& kv) {
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : kv)
    if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      throw std::runtime_error(k + ": " + err);
  return c;
}

// N consumers, each its own client and group, polled by their own threads
// (N <= 16, blocking polls, for latency) or by two threads in turn.
class Consumers {
 public:
  Consumers(const std::string& bootstrap, const std::string& kind, int n, bool keep_latency)
      : count_(size_t(n)), last_ns_(size_t(n)), lat_(size_t(n)), keep_latency_(keep_latency) {
    for (int i = 0; i < n; ++i) {
      std::map<std::string, std::string> kv{{"bootstrap.servers", bootstrap},
                                            {"group.id", "fan-" + std::to_string(i)},
                                            {"auto.offset.reset", "earliest"},
                                            {"enable.auto.commit", "false"},
                                            {"log_level", "3"}};
      // Hydra sets 10 ms on the mock (its empty fetches are answered only
      // at fetch.wait.max.ms); on hydra the default (500 ms) is kept.
      if (kind == "mock") kv["fetch.wait.max.ms"] = "10";
      char err[512];
      rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, make_conf(kv), err, sizeof err);
      if (!rk) throw std::runtime_error(std::string("consumer: ") + err);
      rd_kafka_poll_set_consumer(rk);
      rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(l, "fan", RD_KAFKA_PARTITION_UA);
      rd_kafka_subscribe(rk, l);
      rd_kafka_topic_partition_list_destroy(l);
      rks_.push_back(rk);
    }
    const size_t threads = n <= 16 ? size_t(n) : 2;
    for (size_t t = 0; t < threads; ++t)
      threads_.emplace_back([this, t, threads] { poll_loop(t, threads); });
  }
  ~Consumers() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    for (auto* rk : rks_) rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }

  // Waits until every consumer has its partition; returns the seconds.
  double wait_assigned(std::chrono::seconds limit) {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      if (assigned_.load() == int(rks_.size()))
        return std::chrono::duration<double>(Clock::now() - start).count();
      std::this_thread::sleep_for(20ms);
    }
    throw std::runtime_error("consumers not all assigned within " + std::to_string(limit.count()) +
                             " s (" + std::to_string(assigned_.load()) + "/" +
                             std::to_string(rks_.size()) + ")");
  }
  int64_t received() const {
    int64_t s = 0;
    for (const auto& c : count_) s += c.v.load();
    return s;
  }
  int64_t last_receive_ns() const {
    int64_t m = 0;
    for (const auto& c : last_ns_) m = std::max(m, c.v.load());
    return m;
  }
  std::vector<int64_t> latencies() const {
    std::vector<int64_t> all;
    for (const auto& l : lat_) all.insert(all.end(), l.begin(), l.end());
    return all;
  }

 private:
  struct alignas(64) Counter {
    std::atomic<int64_t> v{0};
  };
  // Each consumer's messages are taken in batches from its queue (one
  // call for up to 1000), so the polling threads cost little per message.
  void poll_loop(size_t t, size_t step) {
    std::vector<bool> seen_assigned(rks_.size(), false);
    std::vector<rd_kafka_queue_t*> queues;
    for (size_t i = t; i < rks_.size(); i += step)
      queues.push_back(rd_kafka_queue_get_consumer(rks_[i]));
    std::vector<rd_kafka_message_t*> batch(1000);
    const int timeout_ms = step == 1 ? 100 : 0;
    while (!stop_) {
      bool got = false;
      for (size_t i = t, q = 0; i < rks_.size() && !stop_; i += step, ++q) {
        if (!seen_assigned[i]) {
          rd_kafka_poll(rks_[i], 0);  // serves the rebalance callback
          rd_kafka_topic_partition_list_t* a = nullptr;
          if (rd_kafka_assignment(rks_[i], &a) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (a->cnt > 0) {
              seen_assigned[i] = true;
              ++assigned_;
            }
            rd_kafka_topic_partition_list_destroy(a);
          }
        }
        const ssize_t n =
            rd_kafka_consume_batch_queue(queues[q], timeout_ms, batch.data(), batch.size());
        if (n <= 0) continue;
        got = true;
        const int64_t now = now_ns();
        for (ssize_t k = 0; k < n; ++k) {
          rd_kafka_message_t* m = batch[size_t(k)];
          if (!m->err && m->len >= 16) {
            int64_t sent;
            std::memcpy(&sent, static_cast<const char*>(m->payload) + 8, 8);
            count_[i].v++;
            if (keep_latency_) lat_[i].push_back(now - sent);
          }
          rd_kafka_message_destroy(m);
        }
        last_ns_[i].v = now;
      }
      if (!got && step > 1) std::this_thread::sleep_for(1ms);
    }
    for (auto* q : queues) rd_kafka_queue_destroy(q);
  }

  std::vector<rd_kafka_t*> rks_;
  std::vector<Counter> count_, last_ns_;
  std::vector<std::vector<int64_t>> lat_;
  const bool keep_latency_;
  std::atomic<int> assigned_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

struct Producer {
  std::atomic<int64_t> acked{0}, failed{0};
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* topic = nullptr;

  explicit Producer(const std::string& bootstrap, int linger_ms = 5) {
    rd_kafka_conf_t* c = make_conf({{"bootstrap.servers", bootstrap},
                                    {"acks", "1"},
                                    {"linger.ms", std::to_string(linger_ms)},
                                    {"batch.num.messages", "10000"},
                                    {"queue.buffering.max.messages", "1000000"},
                                    {"log_level", "3"}});
    rd_kafka_conf_set_opaque(c, this);
    rd_kafka_conf_set_dr_msg_cb(c, [](rd_kafka_t*, const rd_kafka_message_t* m, void* o) {
      auto* p = static_cast<Producer*>(o);
      (m->err ? p->failed : p->acked)++;
    });
    char err[512];
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!rk) throw std::runtime_error(std::string("producer: ") + err);
    topic = rd_kafka_topic_new(rk, "fan", nullptr);
  }
  ~Producer() {
    rd_kafka_topic_destroy(topic);
    rd_kafka_destroy(rk);
  }
  // One 100-byte message carrying its sequence and send time.
  bool send(int64_t seq) {
    char v[100] = {};
    const int64_t t = now_ns();
    std::memcpy(v, &seq, 8);
    std::memcpy(v + 8, &t, 8);
    return rd_kafka_produce(topic, 0, RD_KAFKA_MSG_F_COPY, v, sizeof v, nullptr, 0, nullptr) == 0;
  }
  bool flush(int ms) { return rd_kafka_flush(rk, ms) == RD_KAFKA_RESP_ERR_NO_ERROR; }
};

// Messages sent at `rate` for `seconds`; returns how many were sent.
int64_t send_at_rate(Producer& p, int rate, double seconds) {
  const auto start = Clock::now();
  const int64_t total = int64_t(rate * seconds);
  for (int64_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(int64_t(1e9 * i / rate)));
    while (!p.send(i)) rd_kafka_poll(p.rk, 1);
    rd_kafka_poll(p.rk, 0);
  }
  p.flush(30000);
  return total;
}

struct FanoutRow {
  std::string kind;
  int n = 0, rate = 0;
  std::optional<double> fraction, delivered_per_s, broker_cpu_pct, settle_s;
  std::string error;
};

FanoutRow fanout(const Options& o, const std::string& kind, int n, int rate) {
  FanoutRow r;
  r.kind = kind;
  r.n = n;
  r.rate = rate;
  try {
    BrokerProcess broker(o.hydra, kind, "fan");
    Consumers cs(broker.bootstrap(), kind, n, false);
    r.settle_s = cs.wait_assigned(120s);
    Producer p(broker.bootstrap());
    const double cpu0 = broker.cpu_s();
    const int64_t t0 = now_ns();
    send_at_rate(p, rate, o.seconds);
    const int64_t expected = p.acked.load() * n;
    const auto drain_end = Clock::now() + std::chrono::duration<double>(o.drain_s);
    while (cs.received() < expected && Clock::now() < drain_end) std::this_thread::sleep_for(20ms);
    const double wall = (now_ns() - t0) / 1e9;
    r.broker_cpu_pct = 100.0 * (broker.cpu_s() - cpu0) / wall;
    const int64_t got = cs.received();
    r.fraction = expected > 0 ? double(got) / double(expected) : 0.0;
    const double span = (cs.last_receive_ns() - t0) / 1e9;
    r.delivered_per_s = span > 0 ? double(got) / span : 0.0;
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

std::string fmt(const std::optional<double>& v, int prec = 3) {
  if (!v) return "";
  std::ostringstream s;
  s << std::fixed << std::setprecision(prec) << *v;
  return s.str();
}

// Latency with the fan-out's linger.ms 5 (which alone holds a message up
// to 5 ms in the producer) and with linger.ms 0 (what the broker adds).
void latency(const Options& o) {
  std::cout << "\n## end-to-end latency, 10 consumers x 1000 msg/s, " << o.seconds << " s\n"
            << "| kind | fetch.wait.max.ms | producer linger.ms | p50 ms | p99 ms | messages |\n"
               "|---|---|---|---|---|---|\n";
  for (int linger : {5, 0})
    for (const auto& kind : o.kinds) {
      try {
        BrokerProcess broker(o.hydra, kind, "fan");
        Consumers cs(broker.bootstrap(), kind, 10, true);
        cs.wait_assigned(120s);
        Producer p(broker.bootstrap(), linger);
        send_at_rate(p, 1000, o.seconds);
        const auto end = Clock::now() + 5s;
        while (cs.received() < p.acked.load() * 10 && Clock::now() < end)
          std::this_thread::sleep_for(20ms);
        auto l = cs.latencies();
        std::sort(l.begin(), l.end());
        auto q = [&](double f) { return l.empty() ? 0.0 : l[size_t(f * (l.size() - 1))] / 1e6; };
        std::cout << "| " << kind << " | " << (kind == "mock" ? "10" : "500 (default)") << " | "
                  << linger << " | " << fmt(q(0.5)) << " | " << fmt(q(0.99)) << " | " << l.size()
                  << " |\n"
                  << std::flush;
      } catch (const std::exception& e) {
        std::cout << "| " << kind << " | | " << linger << " | | | error: " << e.what() << " |\n";
      }
    }
}

void idle_cpu(const Options& o) {
  std::cout << "\n## broker CPU with " << o.idle_consumers << " idle consumers, " << o.idle_s
            << " s\n| kind | broker CPU % of one core |\n|---|---|\n";
  for (const auto& kind : o.kinds) {
    try {
      BrokerProcess broker(o.hydra, kind, "fan");
      Consumers cs(broker.bootstrap(), kind, o.idle_consumers, false);
      cs.wait_assigned(120s);
      std::this_thread::sleep_for(1s);
      const double c0 = broker.cpu_s();
      const auto t0 = Clock::now();
      std::this_thread::sleep_for(std::chrono::duration<double>(o.idle_s));
      const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
      std::cout << "| " << kind << " | " << fmt(100.0 * (broker.cpu_s() - c0) / wall, 1) << " |\n";
    } catch (const std::exception& e) {
      std::cout << "| " << kind << " | error: " << e.what() << " |\n";
    }
  }
}

struct ProducerRun {
  std::optional<double> rate, broker_cpu, client_cpu;
  int64_t low = -1, high = -1;
  std::string error;
};

ProducerRun unthrottled_once(const Options& o, const std::string& kind) {
  ProducerRun r;
  try {
    BrokerProcess broker(o.hydra, kind, "fan");
    Producer p(broker.bootstrap());
    const double cpu0 = broker.cpu_s(), self0 = self_cpu_s();
    const auto t0 = Clock::now();
    const auto stop = t0 + std::chrono::duration<double>(o.producer_s);
    int64_t i = 0;
    while (Clock::now() < stop) {
      for (int k = 0; k < 1000; ++k)
        while (!p.send(i++)) rd_kafka_poll(p.rk, 1);
      rd_kafka_poll(p.rk, 0);
    }
    p.flush(60000);
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    // What retention removed: the partition's low watermark (records
    // before it are gone); measured the same way on both kinds.
    rd_kafka_query_watermark_offsets(p.rk, "fan", 0, &r.low, &r.high, 10000);
    r.rate = p.acked.load() / wall;
    r.broker_cpu = 100.0 * (broker.cpu_s() - cpu0) / wall;
    r.client_cpu = 100.0 * (self_cpu_s() - self0) / wall;
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// Rounds alternate the kinds so that a busy machine disturbs both alike;
// the summary is the median rate and the hydra/mock ratio of medians.
void unthrottled(const Options& o) {
  std::cout << "\n## one unthrottled producer, 100 B, acks=1, " << o.producer_s << " s, "
            << o.producer_rounds
            << " rounds\n| round | kind | acked msg/s | removed by retention (records) | high "
               "watermark | broker CPU % | producer CPU % |\n|---|---|---|---|---|---|---|\n";
  std::map<std::string, std::vector<double>> rates;
  for (int round = 1; round <= o.producer_rounds; ++round)
    for (const auto& kind : o.kinds) {
      const ProducerRun r = unthrottled_once(o, kind);
      if (r.rate) rates[kind].push_back(*r.rate);
      std::cout << "| " << round << " | " << kind << " | " << fmt(r.rate, 0) << " | "
                << (r.rate ? std::to_string(r.low) : "") << " | "
                << (r.rate ? std::to_string(r.high) : "") << " | " << fmt(r.broker_cpu, 0) << " | "
                << fmt(r.client_cpu, 0) << (r.error.empty() ? "" : " error: " + r.error) << " |\n"
                << std::flush;
    }
  auto median = [](std::vector<double> v) -> std::optional<double> {
    if (v.empty()) return std::nullopt;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const auto h = median(rates["hydra"]), m = median(rates["mock"]);
  std::cout << "\nmedian acked msg/s: hydra " << fmt(h, 0) << ", mock " << fmt(m, 0)
            << ", hydra/mock " << (h && m && *m > 0 ? fmt(*h / *m, 2) : "") << "\n";
}

std::vector<std::pair<int, int>> parse_points(const std::string& s) {
  std::vector<std::pair<int, int>> v;
  std::istringstream in(s);
  for (std::string p; std::getline(in, p, ',');) {
    const size_t x = p.find('x');
    try {
      if (x == std::string::npos) throw std::invalid_argument("");
      v.emplace_back(std::stoi(p.substr(0, x)), std::stoi(p.substr(x + 1)));
    } catch (const std::exception&) {
      throw std::invalid_argument("--points: '" + p + "' is not CONSUMERSxRATE (e.g. 300x1000)");
    }
    if (v.back().first < 1 || v.back().second < 1)
      throw std::invalid_argument("--points: consumers and rate must be >= 1 in '" + p + "'");
  }
  return v;
}

}  // namespace
}  // namespace hydra::bench

int main(int argc, char** argv) {
  using namespace hydra::bench;
  Options o;
  std::string points =
      "10x1000,10x3000,50x1000,50x3000,100x1000,100x3000,300x1000,300x3000,"
      "500x1000,500x3000";
  std::string kinds = "hydra,mock";
  o.hydra = (std::filesystem::canonical("/proc/self/exe").parent_path() / "hydra").string();
  po::options_description desc("hydra_broker_bench: embedded broker kinds under fan-out load");
  desc.add_options()("help,h", "show this help")(
      "points", po::value(&points)->default_value(points), "CONSUMERSxRATE,... fan-out points")(
      "seconds", po::value(&o.seconds)->default_value(o.seconds), "sending seconds per point")(
      "drain", po::value(&o.drain_s)->default_value(o.drain_s),
      "seconds to wait for deliveries after sending")(
      "kinds", po::value(&kinds)->default_value(kinds), "broker kinds: hydra,mock")(
      "hydra", po::value(&o.hydra)->default_value(o.hydra), "the hydra binary")(
      "idle-consumers", po::value(&o.idle_consumers)->default_value(o.idle_consumers),
      "consumers for the idle CPU figure")("producer-seconds",
                                           po::value(&o.producer_s)->default_value(o.producer_s),
                                           "seconds of the unthrottled producer")(
      "producer-rounds", po::value(&o.producer_rounds)->default_value(o.producer_rounds),
      "rounds of the unthrottled producer, kinds alternating")(
      "no-latency", "skip the latency figure")("no-idle", "skip the idle CPU figure")(
      "no-producer", "skip the unthrottled producer");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    o.points = parse_points(points);
    o.kinds.clear();
    std::istringstream in(kinds);
    for (std::string k; std::getline(in, k, ',');) {
      if (k != "hydra" && k != "mock")
        throw std::invalid_argument("--kinds: '" + k + "' is not hydra or mock");
      o.kinds.push_back(k);
    }
    if (o.producer_rounds < 1) throw std::invalid_argument("--producer-rounds must be >= 1");
    if (o.seconds <= 0 || o.drain_s < 0 || o.producer_s <= 0)
      throw std::invalid_argument("--seconds and --producer-seconds must be > 0, --drain >= 0");
    o.latency = !vm.count("no-latency");
    o.idle = !vm.count("no-idle");
    o.producer = !vm.count("no-producer");
  } catch (const std::exception& e) {
    std::cerr << "hydra_broker_bench: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  std::cout << "## fan-out: 1 producer (100 B, acks=1, linger.ms 5) -> N consumers in own groups, "
               "1 partition, "
            << o.seconds << " s per point\n"
            << "| N | msg/s | kind | fraction delivered | delivered msg/s | broker CPU % | "
               "group settle s | hydra/mock fraction |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& [n, rate] : o.points) {
    std::map<std::string, FanoutRow> rows;
    for (const auto& kind : o.kinds) rows[kind] = fanout(o, kind, n, rate);
    for (const auto& kind : o.kinds) {
      const FanoutRow& r = rows[kind];
      std::string ratio;
      if (kind == "hydra" && rows.count("mock") && rows["mock"].fraction && r.fraction &&
          *rows["mock"].fraction > 0)
        ratio = fmt(*r.fraction / *rows["mock"].fraction, 2);
      std::cout << "| " << n << " | " << rate << " | " << kind << " | " << fmt(r.fraction) << " | "
                << fmt(r.delivered_per_s, 0) << " | " << fmt(r.broker_cpu_pct, 0) << " | "
                << fmt(r.settle_s, 1) << " | " << ratio
                << (r.error.empty() ? "" : " error: " + r.error) << " |\n"
                << std::flush;
    }
  }
  if (o.latency) latency(o);
  if (o.idle) idle_cpu(o);
  if (o.producer) unthrottled(o);
  return 0;
}
