// hydra::Subscriber, the role hosting K subscriber clients, driven through the
// transport seam: each client gets a FakeConsumer from a pool, so status,
// stats, reset and configure are checked on scripted messages, as the
// controller would see them in the JSON replies.
#include "agents/subscriber.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "agents/processing/processor.h"
#include "agents/processing/sensor_record.h"
#include "common/clock.h"
#include "common/message_header.h"
#include "common/protocol.h"
#include "common/stats.h"
#include "fake_drivers.h"

namespace hydra {
namespace {

using nlohmann::json;
using test::FakeConsumer;
using test::FakeConsumerPool;
using test::hydra_message;
using test::protocol_error;
using test::wait_for;

json config(const json& overrides = json::object()) {
  json c = {{"bootstrap", "fake:9092"}, {"topic", "t"}, {"clients", 3}, {"first_client_id", 10}};
  c.update(overrides);
  return c;
}

json window_json(uint32_t producer, PartitionSeqs from, PartitionSeqs until) {
  ProducerWindow w;
  w.producer_id = producer;
  w.from = std::move(from);
  w.until = std::move(until);
  return json::array({w.to_json()});
}

class SubscriberTest : public ::testing::Test {
 protected:
  // Configures and starts, then waits (bounded) until every client thread
  // took its consumer.
  void start(const json& cfg) {
    sub.configure(cfg);
    sub.start();
    const int clients = cfg.value("clients", 1);
    ASSERT_TRUE(wait_for([&] { return pool.taken() == clients; }))
        << pool.taken() << " of " << clients << " clients made their consumer";
  }

  // Pushes messages to client `id` and counts them, for settle().
  void push(int id, std::vector<uint8_t> value) {
    pool.at(id)->push(std::move(value));
    ++pushed[id];
  }
  void push_seqs(int id, uint32_t producer, const std::vector<uint64_t>& seqs) {
    for (uint64_t s : seqs) push(id, hydra_message(producer, 0, s, wall_ns() - 1'000'000));
  }

  // Waits (bounded) until every client consumed what was pushed to it.
  void settle() {
    for (const auto& [id, n] : pushed) {
      FakeConsumer* c = pool.at(id);
      const uint64_t want = n;  // clang 14 cannot capture a structured binding
      EXPECT_TRUE(wait_for([&] { return c->delivered() >= want; }))
          << "client " << id << " consumed " << c->delivered() << " of " << n;
    }
  }

  json client(const json& stats, int id) {
    for (const auto& c : stats.at("clients"))
      if (c.at("client_id") == id) return c;
    ADD_FAILURE() << "no client " << id << " in " << stats.dump();
    return json::object();
  }

  FakeConsumerPool pool;
  std::mutex configs_mu;
  std::vector<std::pair<std::string, int>> factory_calls;  // (topic, client id)
  std::map<int, uint64_t> pushed;
  Subscriber sub{test::consumer_drivers([this](const proto::SubscriberConfig& cfg, int id) {
    {
      std::lock_guard lock(configs_mu);
      factory_calls.emplace_back(cfg.topic, id);
    }
    return pool.take(id);
  })};
};

TEST_F(SubscriberTest, StatusCountsClientsAndReadiness) {
  json st = sub.status();
  EXPECT_EQ(st.at("state"), "idle");
  EXPECT_EQ(st.at("clients"), 0);
  EXPECT_EQ(st.at("ready"), false);

  pool.at(10)->set_ready(true);
  pool.at(11)->set_ready(false);
  pool.at(12)->set_ready(true);
  pool.at(12)->set_assigned({0, 1});
  start(config());
  st = sub.status();
  EXPECT_EQ(st.at("state"), "running");
  EXPECT_EQ(st.at("clients"), 3);
  EXPECT_EQ(st.at("clients_ready"), 2);
  EXPECT_EQ(st.at("ready"), false) << "not every client is ready";
  ASSERT_EQ(st.at("client_status").size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(st.at("client_status")[i].at("id"), 10 + i);
  EXPECT_EQ(st.at("client_status")[2].at("assigned"), json::array({0, 1}));
  EXPECT_EQ(st.at("client_status")[1].at("ready"), false);

  pool.at(11)->set_ready(true);
  st = sub.status();
  EXPECT_EQ(st.at("clients_ready"), 3);
  EXPECT_EQ(st.at("ready"), true);

  std::lock_guard lock(configs_mu);
  ASSERT_EQ(factory_calls.size(), 3u);
  for (const auto& [topic, id] : factory_calls) {
    EXPECT_EQ(topic, "t") << "the factory gets the configuration";
    EXPECT_GE(id, 10);
    EXPECT_LE(id, 12);
  }
}

TEST_F(SubscriberTest, StatsReturnsEveryClientById) {
  start(config({{"clients", 4}, {"first_client_id", 5}}));
  for (int id = 5; id < 9; ++id) {
    std::vector<uint64_t> seqs;
    for (int s = 0; s < id - 4; ++s) seqs.push_back(uint64_t(s));  // client 5 gets 1, ...
    push_seqs(id, 1, seqs);
  }
  settle();
  const json st = sub.stats(json::object());
  EXPECT_EQ(st.at("role"), "sub");
  EXPECT_EQ(st.at("state"), "running");
  EXPECT_TRUE(st.at("unanswered_clients").empty());
  EXPECT_TRUE(st.contains("usage"));
  ASSERT_EQ(st.at("clients").size(), 4u);
  for (int i = 0; i < 4; ++i) {
    const ClientStats c = ClientStats::from_json(st.at("clients")[size_t(i)]);
    EXPECT_EQ(c.client_id, 5 + i) << "ids are first_client_id ..";
    EXPECT_EQ(c.unique, uint64_t(i + 1));
    EXPECT_EQ(c.received, uint64_t(i + 1));
    EXPECT_EQ(c.latency.count(), uint64_t(i + 1));
    EXPECT_TRUE(c.processing.is_null()) << "no processing stage configured";
  }

  const json light = sub.stats(json{{"histograms", false}});
  ASSERT_EQ(light.at("clients").size(), 4u);
  for (const auto& c : light.at("clients")) {
    EXPECT_FALSE(c.contains("latency")) << "histograms:false omits the histogram";
    EXPECT_FALSE(c.contains("processing"));
    EXPECT_TRUE(c.contains("unique"));
    EXPECT_TRUE(c.contains("lost"));
  }
}

TEST_F(SubscriberTest, ResetAndStatsCountTheWindow) {
  start(config({{"clients", 2}, {"first_client_id", 0}}));
  push_seqs(0, 3, {0, 1, 2, 3, 4});
  push_seqs(1, 3, {0, 1, 2, 3, 4});
  settle();
  // The publisher's reset window: from 5 on partition 0.
  EXPECT_NO_THROW(sub.reset(json{{"window", window_json(3, {{0, 5}}, {{0, 5}})}}));
  push_seqs(0, 3, {5, 6, 7, 8, 9});
  push_seqs(1, 3, {3, 5, 6, 7, 9});  // a stale one, and 8 missing
  settle();
  // The publisher's stop window: [5, 11) -- 10 never reached anybody.
  const json st = sub.stats(json{{"window", window_json(3, {{0, 5}}, {{0, 11}})}});
  const ClientStats c0 = ClientStats::from_json(client(st, 0));
  const ClientStats c1 = ClientStats::from_json(client(st, 1));
  EXPECT_EQ(c0.unique, 5u);
  EXPECT_EQ(c0.lost, 1u);
  EXPECT_EQ(c0.received, 5u) << "counters start at the reset";
  EXPECT_EQ(c0.latency.count(), 5u);
  EXPECT_EQ(c1.unique, 4u);
  EXPECT_EQ(c1.lost, 2u);
  EXPECT_EQ(c1.before_window, 1u);
  EXPECT_EQ(c1.latency.count(), 4u);
  // Of the lost, 10 lies past what either client reached (behind); 8 is a gap.
  EXPECT_EQ(c0.behind, 1u);
  EXPECT_EQ(c1.behind, 1u);
}

TEST_F(SubscriberTest, NextStepCountsWhatArrivedBeforeItsReset) {
  // Step 1: producer 3's window on a running client.
  start(config({{"clients", 1}, {"first_client_id", 0}}));
  EXPECT_NO_THROW(sub.reset(json{{"window", window_json(3, {{0, 0}}, {{0, 0}})}}));
  // Step 2 on the same (warm) client: seek, then the new producer's first
  // messages arrive before the subscriber hears of its window.
  EXPECT_NO_THROW(sub.reset(json{{"seek", "end"}}));
  push_seqs(0, 4, {0, 1, 2, 3});
  settle();
  EXPECT_NO_THROW(sub.reset(json{{"window", window_json(4, {{0, 2}}, {{0, 2}})}}));
  push_seqs(0, 4, {4, 5});
  settle();
  const json st = sub.stats(json{{"window", window_json(4, {{0, 2}}, {{0, 6}})}});
  const ClientStats c = ClientStats::from_json(client(st, 0));
  EXPECT_EQ(c.unique, 4u) << "2 and 3 arrived before the reset but are the window's";
  EXPECT_EQ(c.lost, 0u);
}

TEST_F(SubscriberTest, ResetSeekEndDropsTheBacklogOfEveryClient) {
  start(config({{"clients", 2}, {"first_client_id", 0}}));
  // Nobody reads yet: hold the clients' threads off by queueing after a seek.
  EXPECT_NO_THROW(sub.reset(json{{"seek", "end"}}));
  EXPECT_GE(pool.at(0)->seeks(), 1u);
  EXPECT_GE(pool.at(1)->seeks(), 1u);
  // A seek is not a counter reset: stats still answer for both clients.
  const json st = sub.stats(json::object());
  EXPECT_EQ(st.at("clients").size(), 2u);
}

TEST_F(SubscriberTest, MalformedWindowsAreProtocolErrors) {
  start(config({{"clients", 1}}));
  EXPECT_NE(protocol_error([&] {
              sub.stats(json{{"window", 5}});
            }).find("window"),
            std::string::npos);
  EXPECT_NE(protocol_error([&] {
              sub.reset(json{{"window", json::array({{{"producer_id", 1}}})}});
            }).find("window"),
            std::string::npos);
}

TEST_F(SubscriberTest, ConfigureRejectsBadValuesNamingTheField) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"groups", "bogus"}}, "config.groups"},
      {{{"clients", 0}}, "config.clients"},
      {{{"clients", 10001}}, "config.clients"},
      {{{"first_client_id", -1}}, "config.first_client_id"},
      {{{"bootstrap", ""}}, "config.bootstrap"},
      {{{"driver", 5}}, "config.driver"},
      // The driver is chosen by name; an unknown one is refused naming those there are.
      {{{"driver", "zmq"}}, "config.driver: unknown driver \"zmq\" (known: kafka)"},
      {{{"colour", "blue"}}, "config.colour"},
      {{{"processing", 5}}, "config.processing"},
      {{{"processing", {{"kind", "bogus"}}}}, "processing.kind"},
      {{{"processing", {{"kind", "mlp"}, {"batch", 0}}}}, "processing.batch"},
      {{{"processing", {{"kind", "mlp"}, {"device", "tpu"}}}}, "processing.device"},
  };
  for (const auto& [overrides, field] : cases) {
    const auto& given = overrides;  // clang 14 cannot capture a structured binding
    const std::string err = protocol_error([&] { sub.configure(config(given)); });
    EXPECT_NE(err.find(field), std::string::npos)
        << overrides.dump() << " gave \"" << err << "\", expected it to name " << field;
  }
  EXPECT_EQ(sub.status().at("state"), "idle");
  EXPECT_NE(protocol_error([&] { sub.start(); }).find("not configured"), std::string::npos);
  EXPECT_NE(protocol_error([&] { sub.reset(json::object()); }).find("not configured"),
            std::string::npos);
  EXPECT_EQ(pool.taken(), 0);
}

TEST_F(SubscriberTest, GpuProcessingWithoutAGpuIsSkipped) {
  std::string why;
  if (gpu_available(&why)) GTEST_SKIP() << "a GPU is usable here (" << why << ")";
  const std::string err = protocol_error([&] {
    sub.configure(config({{"processing", {{"kind", "mlp"}, {"device", "gpu"}}}}));
  });
  EXPECT_EQ(err.rfind("skipped: ", 0), 0u)
      << "the controller turns this prefix into a skip: " << err;
  EXPECT_NE(err.find("gpu"), std::string::npos) << err;
  EXPECT_EQ(sub.status().at("state"), "idle");
}

TEST_F(SubscriberTest, AutoDeviceWithoutAGpuFallsBackWithANote) {
  std::string why;
  if (gpu_available(&why)) GTEST_SKIP() << "a GPU is usable here (" << why << ")";
  const json r = sub.configure(config({{"processing", {{"kind", "zscore"}, {"device", "auto"}}}}));
  ASSERT_TRUE(r.contains("note")) << r.dump();
  EXPECT_NE(r.at("note").get<std::string>().find("using cpu"), std::string::npos) << r.dump();
  EXPECT_EQ(sub.status().at("note"), r.at("note"));
}

TEST_F(SubscriberTest, SensorMessagesReachTheProcessingStage) {
  start(config({{"clients", 1},
                {"first_client_id", 0},
                {"processing", {{"kind", "zscore"}, {"device", "cpu"}, {"batch", 1}}}}));
  for (uint64_t seq = 0; seq < 6; ++seq) {
    auto v =
        hydra_message(2, 0, seq, wall_ns() - 1'000'000, MessageHeader::kSize + SensorRecord::kSize);
    MessageHeader h = *decode_header(v.data(), v.size());
    h.flags |= MessageHeader::kFlagSensorPayload;
    encode_header(h, v.data());
    SensorRecord rec;
    make_sensor_record(seq, 1, h.intended_ns, &rec);
    encode_sensor_record(rec, v.data() + MessageHeader::kSize);
    push(0, std::move(v));
  }
  push_seqs(0, 2, {6});  // a plain Hydra message: counted, not processed
  settle();
  const json c = client(sub.stats(json::object()), 0);
  EXPECT_EQ(c.at("unique"), 7);
  ASSERT_TRUE(c.at("processing").is_object()) << c.dump();
  EXPECT_EQ(c.at("processing").at("records"), 6) << "batch 1: each record processed at once";
  EXPECT_EQ(c.at("processing").at("results"), 6);
}

TEST_F(SubscriberTest, StopClosesEveryConsumerAndStartMakesFreshClients) {
  start(config({{"clients", 2}, {"first_client_id", 0}}));
  FakeConsumer* c0 = pool.at(0);
  FakeConsumer* c1 = pool.at(1);
  push_seqs(0, 1, {0, 1, 2});
  settle();
  EXPECT_NO_THROW(sub.stop());
  EXPECT_TRUE(c0->closed());
  EXPECT_TRUE(c1->closed());
  EXPECT_EQ(sub.status().at("state"), "stopped");
  EXPECT_EQ(sub.status().at("clients"), 0) << "a stopped agent hosts no running clients";
  // Stats after stop still answer (the client threads are gone).
  const json st = sub.stats(json::object());
  EXPECT_EQ(client(st, 0).at("unique"), 3);
  EXPECT_NO_THROW(sub.stop()) << "stop is idempotent";

  pushed.clear();
  sub.start();
  ASSERT_TRUE(wait_for([&] { return pool.taken() == 4; }));
  const json fresh = sub.stats(json::object());
  EXPECT_EQ(client(fresh, 0).at("unique"), 0) << "a new run starts from nothing";
  EXPECT_EQ(sub.start().value("already", false), true);
}

TEST_F(SubscriberTest, AClientWhoseConsumerCannotBeMadeReportsWhy) {
  Subscriber failing(test::consumer_drivers(
      [](const proto::SubscriberConfig&, int id) -> std::unique_ptr<ConsumerDriver> {
        throw std::runtime_error("client " + std::to_string(id) + " cannot reach the broker");
      }));
  failing.configure(config({{"clients", 2}, {"first_client_id", 0}}));
  failing.start();
  ASSERT_TRUE(wait_for([&] { return !failing.status().at("error").get<std::string>().empty(); }));
  const json st = failing.status();
  EXPECT_EQ(st.at("ready"), false);
  EXPECT_EQ(st.at("clients_ready"), 0);
  EXPECT_NE(st.at("error").get<std::string>().find("cannot reach the broker"), std::string::npos);
  // Stats only after stop: asked while a failing client closes its mailbox,
  // they can deadlock (see SubscriberClientFactory.
  // ASnapshotPendingWhenTheFactoryFailsIsAnswered in subscriber_client_test).
  failing.stop();
  const json stats = failing.stats(json::object());
  ASSERT_EQ(stats.at("clients").size(), 2u) << "failed clients still answer stats";
  for (const auto& c : stats.at("clients"))
    EXPECT_NE(c.at("error").get<std::string>().find("cannot reach the broker"), std::string::npos);
}

// Threads of this process now (Linux: one entry per thread).
size_t thread_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// 120 clients cost three threads (the default loops, one per 50 clients),
// and no request starts one: stats and resets are served on the loops' own
// threads.
TEST_F(SubscriberTest, ManyClientsShareAFewThreadsAndRequestsStartNone) {
  ASSERT_EQ(Subscriber::default_loops(120), 3);
  // A sanitizer runtime starts a thread of its own at the first thread the
  // process makes; make one first so it is counted in `before`.
  std::thread([] {}).join();
  const size_t before = thread_count();
  start(config({{"clients", 120}, {"first_client_id", 0}}));
  EXPECT_EQ(thread_count(), before + size_t(Subscriber::default_loops(120)));
  for (int id = 0; id < 120; ++id) push_seqs(id, 1, {0, 1, 2});
  settle();
  std::atomic<bool> watching{true};
  std::atomic<size_t> most{0};
  std::thread watcher([&] {
    while (watching.load()) {
      most.store(std::max(most.load(), thread_count()));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  for (int round = 0; round < 5; ++round) try {
      sub.reset(json{{"window", window_json(1, {{0, 0}}, {{0, 0}})}});
      const json st = sub.stats(json{{"window", window_json(1, {{0, 0}}, {{0, 3}})}});
      EXPECT_EQ(st.at("clients").size(), 120u);
      for (const auto& c : st.at("clients")) EXPECT_EQ(c.at("unique"), 3u);
      EXPECT_TRUE(st.at("unanswered_clients").empty());
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
  watching.store(false);
  watcher.join();
  EXPECT_LE(most.load(), before + size_t(Subscriber::default_loops(120)) + 1)
      << "a request started threads (the +1 is the watcher)";
}

// Live progress reads the counters the loops publish: it answers even while
// a loop is busy (here: still making a consumer), where a full snapshot has
// to wait for that loop.
TEST(SubscriberLive, LightStatsAnswerWithoutWakingABusyLoop) {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  FakeConsumerPool pool;
  Subscriber sub(test::consumer_drivers([&](const proto::SubscriberConfig&, int id) {
                   if (id == 1) {  // client 1 (on loop 1) takes a long time to connect
                     std::unique_lock lock(m);
                     cv.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
                   }
                   return pool.take(id);
                 }),
                 2);
  sub.configure(config({{"clients", 2}, {"first_client_id", 0}}));
  sub.start();
  ASSERT_TRUE(wait_for([&] { return pool.taken() == 1; }));
  pool.at(0)->push(hydra_message(1, 0, 0, wall_ns()));
  pool.at(0)->push(hydra_message(1, 0, 1, wall_ns()));
  ASSERT_TRUE(wait_for([&] { return pool.at(0)->delivered() == 2; }));
  const auto t0 = std::chrono::steady_clock::now();
  json light;
  ASSERT_TRUE(wait_for([&] {
    light = sub.stats(json{{"histograms", false}});
    return light.at("clients").size() == 2 && light.at("clients")[0].at("received") == 2;
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2))
      << "light stats waited for the busy loop";
  EXPECT_EQ(light.at("clients")[0].at("unique"), 2u);
  EXPECT_EQ(light.at("clients")[1].at("received"), 0u);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  sub.stop();
}

}  // namespace
}  // namespace hydra
