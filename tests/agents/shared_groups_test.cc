// Shared consumer groups end to end in one process: Hydra's own broker
// (broker/broker.h), a publisher and a subscriber role (agents/publisher.h,
// agents/subscriber.h) on the real Kafka driver, driven as the controller
// drives them (configure, start, reset with the publisher's window, stop,
// stats with the window). Each group must count the publisher's window
// exactly once, whichever member read each message; a member crashed in the
// window shows duplicates (at-least-once) or loss (at-most-once), from the
// sequence checks.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "agents/driver_registry.h"
#include "agents/publisher.h"
#include "agents/subscriber.h"
#include "broker/broker.h"
#include "common/clock.h"
#include "common/stats.h"

namespace hydra {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Plan {
  int partitions = 2;
  int clients = 4;
  int members = 4;  // per group
  std::string commit = "auto";
  double rate = 2000;
  std::chrono::milliseconds window = 1500ms;
  // Crash member `crash` halfway through the window (-1: none).
  int crash = -1;
};

struct Outcome {
  uint64_t window = 0;  // messages the publisher sent in the window
  json stats;           // the subscriber's stats reply with the window
};

class SharedGroups : public ::testing::Test {
 protected:
  void SetUp() override {
    broker::Options o;
    o.io_threads = 1;
    cluster_ = std::make_unique<broker::Cluster>(o);
  }

  // One step: the group(s) join, the publisher runs, the window is measured
  // and drained. Fails the test (and returns what it has) when a bounded
  // wait runs out.
  Outcome run(const Plan& p) {
    static int topics = 0;
    const std::string topic = "groups-" + std::to_string(++topics);
    cluster_->create_topic(topic, p.partitions, 1);
    Subscriber sub(builtin_drivers());
    SystemClock clock;
    Publisher pub(builtin_drivers(), clock);
    sub.configure({{"bootstrap", cluster_->bootstrap()},
                   {"topic", topic},
                   {"clients", p.clients},
                   {"groups", "shared"},
                   {"group_members", p.members},
                   {"group_prefix", topic},
                   {"commit", p.commit},
                   // A crashed member is noticed within a second.
                   {"kafka",
                    {{"session.timeout.ms", "1000"},
                     {"heartbeat.interval.ms", "100"},
                     {"auto.commit.interval.ms", "5000"}}}});
    sub.start();
    Outcome out;
    if (!await_groups(sub, p)) return out;
    pub.configure({{"bootstrap", cluster_->bootstrap()},
                   {"topic", topic},
                   {"partitions", p.partitions},
                   {"producer_id", 7},
                   {"rate", p.rate},
                   {"acks", "all"},
                   {"linger_ms", 1}});
    pub.start();
    std::this_thread::sleep_for(300ms);  // warm-up
    const json from = pub.reset(json::object())["window"];
    sub.reset({{"window", json::array({from})}});
    if (p.crash >= 0) {
      std::this_thread::sleep_for(p.window / 2);
      // As the control request {"cmd": "crash", "client": id} does it.
      sub.crash({{"client", p.crash}});
      std::this_thread::sleep_for(p.window / 2);
    } else {
      std::this_thread::sleep_for(p.window);
    }
    const json window = json::array({pub.stop()["window"]});
    out.window = ProducerWindow::from_json(window[0]).size();
    // Drained when every group has the whole window, or nothing changed for
    // 2 s (a crashed member's partitions wait for the session timeout).
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    uint64_t last = ~uint64_t(0);
    auto quiet = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() < deadline) {
      out.stats = sub.stats({{"window", window}});
      uint64_t received = 0;
      bool all = true;
      for (const auto& c : out.stats["clients"]) received += c["received"].get<uint64_t>();
      for (const auto& g : out.stats["groups"])
        all &= g["stats"]["unique"].get<uint64_t>() >= out.window;
      if (all) break;
      if (received != last) {
        last = received;
        quiet = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - quiet > 2s) {
        break;
      }
      std::this_thread::sleep_for(100ms);
    }
    sub.stop();
    return out;
  }

  // Every member ready and every group owning each partition exactly once.
  bool await_groups(Subscriber& sub, const Plan& p) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    json st;
    while (std::chrono::steady_clock::now() < deadline) {
      st = sub.status();
      std::map<int, std::vector<int>> owners;  // group -> owners per partition
      bool ready = st["ready"].get<bool>();
      for (const auto& c : st["client_status"]) {
        auto& o = owners[c["group"].get<int>()];
        o.resize(size_t(p.partitions));
        for (int part : c["assigned"].get<std::vector<int>>()) o[size_t(part)]++;
      }
      for (const auto& [g, o] : owners)
        for (int n : o) ready &= n == 1;
      if (ready && int(owners.size()) == p.clients / p.members) return true;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the groups did not settle within 20 s: " << st.dump();
    return false;
  }

  std::unique_ptr<broker::Cluster> cluster_;
};

// The figures a crash test measured (quoted by the README's delivery-semantics
// table).
void print_figures(const char* mode, uint64_t window, const json& g) {
  const ClientStats s = ClientStats::from_json(g["stats"]);
  std::printf(
      "%s: window %llu, unique %llu, lost %llu, duplicates %llu, rebalances %d, "
      "pause %.0f ms\n",
      mode, (unsigned long long)window, (unsigned long long)s.unique, (unsigned long long)s.lost,
      (unsigned long long)s.duplicates, g["rebalances"].get<int>(),
      g["rebalance_pause_ms"].get<double>());
}

ClientStats group_stats(const json& g) {
  return ClientStats::from_json(g["stats"]);
}

TEST_F(SharedGroups, FourMembersOverTwoPartitionsCountTheWindowOncePerGroup) {
  const Outcome o = run({});
  ASSERT_GT(o.window, 1000u);
  ASSERT_EQ(o.stats["groups"].size(), 1u);
  const json& g = o.stats["groups"][0];
  const ClientStats s = group_stats(g);
  EXPECT_EQ(s.unique, o.window);
  EXPECT_EQ(s.lost, 0u);
  EXPECT_EQ(s.duplicates, 0u);
  // One latency sample per message the group counted.
  EXPECT_EQ(s.latency.count(), o.window);
  // Two members own one partition each; the other two sit idle.
  std::set<int> owned;
  int idle = 0;
  for (const auto& [member, parts] : g["assignment"].items()) {
    const auto ps = parts.get<std::vector<int>>();
    idle += ps.empty();
    EXPECT_LE(ps.size(), 1u) << member;
    owned.insert(ps.begin(), ps.end());
  }
  EXPECT_EQ(idle, 2);
  EXPECT_EQ(g["idle_members"].get<int>(), 2);
  EXPECT_EQ(owned, (std::set<int>{0, 1}));
  // What the members counted adds up to the group's window, and the idle
  // ones counted nothing.
  uint64_t counted = 0;
  for (const auto& c : o.stats["clients"]) {
    const ClientStats m = ClientStats::from_json(c);
    counted += m.unique;
    const bool member_idle =
        g["assignment"][std::to_string(m.client_id)].get<std::vector<int>>().empty();
    if (member_idle) EXPECT_EQ(m.unique, 0u) << "idle member " << m.client_id;
  }
  EXPECT_EQ(counted, o.window);
}

TEST_F(SharedGroups, TwoGroupsEachGetTheWholeWindow) {
  Plan p;
  p.clients = 4;
  p.members = 2;
  const Outcome o = run(p);
  ASSERT_GT(o.window, 1000u);
  ASSERT_EQ(o.stats["groups"].size(), 2u);
  for (const auto& g : o.stats["groups"]) {
    const ClientStats s = group_stats(g);
    EXPECT_EQ(s.unique, o.window) << g.dump();
    EXPECT_EQ(s.lost, 0u);
    EXPECT_EQ(s.duplicates, 0u);
    EXPECT_EQ(g["members"].size(), 2u);
    EXPECT_EQ(g["idle_members"].get<int>(), 0);
  }
  EXPECT_NE(o.stats["groups"][0]["group_id"], o.stats["groups"][1]["group_id"]);
}

// At-least-once: the crashed member's counted-but-uncommitted messages are
// read again by whoever takes its partition over: duplicates, no loss.
TEST_F(SharedGroups, AtLeastOnceMemberCrashShowsDuplicatesNotLoss) {
  Plan p;
  p.clients = 2;
  p.members = 2;
  p.commit = "after-process";
  p.crash = 0;
  const Outcome o = run(p);
  ASSERT_GT(o.window, 1000u);
  ASSERT_EQ(o.stats["groups"].size(), 1u);
  const json& g = o.stats["groups"][0];
  const ClientStats s = group_stats(g);
  EXPECT_EQ(s.unique, o.window) << g.dump();
  EXPECT_EQ(s.lost, 0u);
  EXPECT_GT(s.duplicates, 0u);
  EXPECT_GE(g["rebalances"].get<int>(), 1);
  print_figures("after-process", o.window, g);
  EXPECT_GT(g["rebalance_pause_ms"].get<double>(), 0.0);
}

// At-most-once: the crashed member's committed-but-uncounted batch is never
// read again: loss, no duplicates.
TEST_F(SharedGroups, AtMostOnceMemberCrashShowsLossNotDuplicates) {
  Plan p;
  p.clients = 2;
  p.members = 2;
  p.commit = "before-process";
  p.crash = 0;
  const Outcome o = run(p);
  ASSERT_GT(o.window, 1000u);
  ASSERT_EQ(o.stats["groups"].size(), 1u);
  const json& g = o.stats["groups"][0];
  const ClientStats s = group_stats(g);
  EXPECT_GT(s.lost, 0u) << g.dump();
  EXPECT_EQ(s.unique + s.lost, o.window);
  EXPECT_EQ(s.duplicates, 0u);
  EXPECT_GE(g["rebalances"].get<int>(), 1);
  print_figures("before-process", o.window, g);
}

// No commits: the member taking the crashed one's partition over starts at
// the end of the log, so what was sent while the group waited is lost.
TEST_F(SharedGroups, NoCommitMemberCrashLosesWhatTheTakeoverSkipped) {
  Plan p;
  p.clients = 2;
  p.members = 2;
  p.commit = "none";
  p.crash = 0;
  const Outcome o = run(p);
  ASSERT_GT(o.window, 1000u);
  ASSERT_EQ(o.stats["groups"].size(), 1u);
  const json& g = o.stats["groups"][0];
  const ClientStats s = group_stats(g);
  EXPECT_GT(s.lost, 0u) << g.dump();
  EXPECT_EQ(s.unique + s.lost, o.window);
  EXPECT_EQ(s.duplicates, 0u);
  print_figures("none", o.window, g);
}

TEST_F(SharedGroups, CrashingAMemberOutsideASharedGroupIsRefused) {
  cluster_->create_topic("solo", 1, 1);
  Subscriber sub(builtin_drivers());
  sub.configure({{"bootstrap", cluster_->bootstrap()}, {"topic", "solo"}, {"clients", 1}});
  sub.start();
  EXPECT_THROW(sub.crash_member(0), proto::ProtocolError);
  EXPECT_THROW(sub.crash({{"client", "zero"}}), proto::ProtocolError);
  sub.stop();
}

}  // namespace
}  // namespace hydra
