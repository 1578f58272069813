// The fault timeline (harness/fault_timeline.h): broker faults on both
// embedded broker kinds, agent faults through the step runner and the
// in-process fleet, commands; each checked by what it did, not by its record
// alone.
#include "harness/fault_timeline.h"

#include <signal.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "broker/broker.h"
#include "harness/step_runner.h"
#include "tests/harness/inprocess_fleet.h"

namespace hydra {
namespace {

using test::InProcessFleet;

FaultSpec fault(const std::string& action, double at_s, double for_s = 0) {
  FaultSpec f;
  f.action = action;
  f.at_s = at_s;
  f.for_s = for_s;
  return f;
}

TimelineContext bare_context(const std::string& topic = "t") {
  TimelineContext ctx;
  ctx.topic = topic;
  ctx.window_from_ns = wall_ns();
  return ctx;
}

TEST(FaultTimelineBroker, DownThenUpOnTheHydraBroker) {
  EmbeddedBroker broker(2, EmbeddedBroker::Kind::kHydra);
  FaultSpec down = fault("broker_down", 0.1, 0.2);
  down.broker = 2;
  FaultTimeline t({down}, &broker);
  t.window_opened(bare_context());
  EXPECT_DOUBLE_EQ(t.next_due_s(0), 0.1);
  t.tick(0.05);
  EXPECT_TRUE(broker.cluster()->broker_up(2));
  t.tick(0.1);
  EXPECT_FALSE(broker.cluster()->broker_up(2));
  EXPECT_TRUE(broker.cluster()->broker_up(1));
  EXPECT_NEAR(t.next_due_s(0.1), 0.2, 1e-9);  // its end is due next
  t.tick(0.3);
  EXPECT_TRUE(broker.cluster()->broker_up(2));
  const auto rec = t.record();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0]["error"], "");
  EXPECT_EQ(rec[0]["description"], "broker_down@0.1+0.2");
  ASSERT_TRUE(rec[0]["window"].is_array());
  EXPECT_TRUE(rec[0]["started_s"].is_number());
  EXPECT_TRUE(rec[0]["ended_s"].is_number());
}

TEST(FaultTimelineBroker, WhatIsStillInForceEndsWhenTheWindowCloses) {
  EmbeddedBroker broker(1, EmbeddedBroker::Kind::kHydra);
  FaultTimeline t({fault("broker_down", 0, 100)}, &broker);
  t.window_opened(bare_context());
  t.tick(0);
  EXPECT_FALSE(broker.cluster()->broker_up(1));
  t.window_closed();
  EXPECT_TRUE(broker.cluster()->broker_up(1));
  // A fault the window never reached says so.
  FaultTimeline late({fault("disconnect", 50)}, &broker);
  late.window_opened(bare_context());
  late.tick(1);
  late.window_closed();
  EXPECT_EQ(late.record()[0]["error"], "not applied: the window closed first");
  EXPECT_TRUE(late.record()[0]["window"].is_null());
}

TEST(FaultTimelineBroker, LeaderChangeRequestErrorsDelayAndDisconnect) {
  EmbeddedBroker broker(2, EmbeddedBroker::Kind::kHydra);
  broker.create_topic("t", 2, 2);
  const int before = broker.cluster()->leader("t", 1);
  FaultSpec leader = fault("leader_change", 0);
  leader.partition = 1;
  FaultSpec errors = fault("request_errors", 0);
  errors.api_key = 0;
  errors.error_code = 6;
  errors.count = 2;
  FaultSpec rtt = fault("broker_rtt", 0, 0.5);
  rtt.delay_ms = 30;
  FaultTimeline t({leader, errors, rtt, fault("disconnect", 0)}, &broker);
  t.window_opened(bare_context("t"));
  t.tick(0);
  EXPECT_NE(broker.cluster()->leader("t", 1), before);  // moved to the other replica
  t.window_closed();
  for (const auto& r : t.record()) EXPECT_EQ(r["error"], "") << r.dump();
  EXPECT_EQ(t.record()[0]["detail"]["leader"], broker.cluster()->leader("t", 1));
}

TEST(FaultTimelineBroker, AnActionTheBrokerRefusesIsRecordedAsFailed) {
  EmbeddedBroker broker(1, EmbeddedBroker::Kind::kHydra);
  FaultSpec bad = fault("request_errors", 0);
  bad.api_key = 9999;  // not served
  bad.error_code = 6;
  FaultTimeline t({bad}, &broker);
  t.window_opened(bare_context());
  t.tick(0);
  t.window_closed();
  EXPECT_NE(t.record()[0]["error"].get<std::string>().find("9999"), std::string::npos);
}

TEST(FaultTimelineBroker, TheMockKindTakesTheSameFaults) {
  EmbeddedBroker broker(2, EmbeddedBroker::Kind::kMock);
  broker.create_topic("t", 2, 2);
  FaultSpec errors = fault("request_errors", 0);
  errors.api_key = 0;
  errors.error_code = 6;
  FaultSpec rtt = fault("broker_rtt", 0, 0.1);
  rtt.delay_ms = 10;
  FaultSpec leader = fault("leader_change", 0);
  leader.to_broker = 2;
  FaultTimeline t({fault("broker_down", 0, 0.1), rtt, errors, leader, fault("disconnect", 0)},
                  &broker);
  t.window_opened(bare_context("t"));
  t.tick(0);
  t.tick(0.2);
  t.window_closed();
  for (const auto& r : t.record()) {
    EXPECT_EQ(r["error"], "") << r.dump();
    EXPECT_TRUE(r["window"].is_array()) << r.dump();
  }
}

TEST(FaultTimelineCommand, ExitStatusAndOutputAreKeptAndATimeoutKills) {
  FaultSpec ok = fault("command", 0);
  ok.run = "echo out; echo err >&2; exit 3";
  FaultSpec slow = fault("command", 0);
  slow.run = "sleep 30";
  slow.timeout_s = 0.3;
  FaultTimeline t({ok, slow}, nullptr);
  t.window_opened(bare_context());
  const auto start = std::chrono::steady_clock::now();
  t.tick(0);  // both start on their own threads: the tick does not wait
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  t.window_closed();  // joins them
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  const auto rec = t.record();
  EXPECT_EQ(rec[0]["command"]["exit_status"], 3);
  EXPECT_EQ(rec[0]["command"]["output"], "out\nerr\n");
  EXPECT_EQ(rec[0]["error"], "command exited 3");
  EXPECT_EQ(rec[1]["command"]["timed_out"], true);
  EXPECT_EQ(rec[1]["command"]["signal"], SIGKILL);
}

// ---- agent faults through the step runner, on the in-process fleet

class NullReporter final : public Reporter {
 public:
  void on_step_done(const Row&, const StepResult&) override {}
  void on_progress(const Progress&) override {}
};

Step agent_step(std::vector<FaultSpec> faults) {
  Step s;
  Scenario& sc = s.scenario;
  sc.duration_s = 1.2;
  sc.warmup_s = 0.1;
  sc.drain_timeout_s = 1;
  sc.control_timeout_s = 0.5;
  sc.publisher.rate = 1000;
  sc.subscribers.clients = 2;
  sc.subscribers.clients_per_agent = 1;
  sc.faults = std::move(faults);
  return s;
}

struct AgentRun {
  InProcessFleet fleet;
  NullReporter reporter;
  StepLimits limits;
  std::unique_ptr<StepRunner> runner;

  StepResult run(const Step& step) {
    limits.sample_interval_s = 0.1;
    runner = std::make_unique<StepRunner>(fleet, reporter, std::chrono::steady_clock::now(),
                                          nullptr, limits);
    FaultTimeline timeline(step.scenario.faults, nullptr);
    runner->set_timeline(&timeline);
    StepPlan plan;
    plan.step = &step;
    plan.bootstrap = "in-process";
    plan.topic = "t";
    plan.producer_id = 3;
    plan.group_prefix = "g";
    return runner->run(plan);
  }
  int stats_calls(int sub_index) {
    int n = 0;
    for (const auto& c : fleet.calls())
      n += c.role == "sub" && c.index == sub_index && c.cmd == proto::Command::kStats;
    return n;
  }
};

FaultSpec agent_fault(const std::string& action, double at_s, double for_s, int index,
                      const std::string& target = "subscriber") {
  FaultSpec f = fault(action, at_s, for_s);
  f.target = target;
  f.agent_index = index;
  return f;
}

TEST(FaultTimelineAgents, AKilledSubscriberCountsAsFailingAndTheStepGoesOn) {
  AgentRun a;
  const auto start = std::chrono::steady_clock::now();
  const StepResult r = a.run(agent_step({agent_fault("kill", 0.3, 0, 0)}));
  // Not failed: the kill was asked for. Its client is unanswered (failing).
  EXPECT_EQ(r.status, "ok") << r.error;
  EXPECT_EQ(r.unanswered_clients, std::vector<int>{0});
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].client_id, 1);
  EXPECT_EQ(r.clients[0].lost, 0u);
  EXPECT_EQ(a.fleet.signals(), (std::vector<std::pair<std::string, int>>{{"sub0", SIGKILL}}));
  EXPECT_EQ(a.fleet.discarded(), 1);  // replaced before the next step
  // The window closed on time: nobody waited on the dead agent.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
  ASSERT_TRUE(r.faults.is_array());
  EXPECT_NE(r.faults[0]["detail"]["agent"].get<std::string>().find("sub agent 0"),
            std::string::npos);
}

TEST(FaultTimelineAgents, APausedSubscriberIsLeftAloneUntilItContinues) {
  AgentRun a;
  const StepResult r = a.run(agent_step({agent_fault("pause", 0.1, 0.8, 0)}));
  EXPECT_EQ(r.status, "ok") << r.error;
  EXPECT_TRUE(r.unanswered_clients.empty());
  EXPECT_EQ(r.clients.size(), 2u);
  EXPECT_EQ(a.fleet.signals(),
            (std::vector<std::pair<std::string, int>>{{"sub0", SIGSTOP}, {"sub0", SIGCONT}}));
  // Sampled every 0.1 s, the paused agent was skipped for 0.8 s of it.
  EXPECT_LE(a.stats_calls(0) + 4, a.stats_calls(1));
  const auto w = r.faults[0]["window"];
  EXPECT_NEAR(w[1].get<double>() - w[0].get<double>(), 0.8, 0.15);
}

TEST(FaultTimelineAgents, AKilledPublisherFailsTheStepSayingSo) {
  AgentRun a;
  const StepResult r = a.run(agent_step({agent_fault("kill", 0.2, 0, 0, "publisher")}));
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("publisher agent killed by the fault timeline"), std::string::npos)
      << r.error;
  EXPECT_EQ(a.fleet.signals(), (std::vector<std::pair<std::string, int>>{{"pub0", SIGKILL}}));
}

TEST(FaultTimelineAgents, SlowThrottlesTheAgentsClientsThenLiftsIt) {
  AgentRun a;
  FaultSpec slow = agent_fault("slow", 0.1, 1.0, 1);
  slow.rate = 50;
  const StepResult r = a.run(agent_step({slow}));
  EXPECT_EQ(r.status, "ok") << r.error;
  int throttles = 0;
  for (const auto& c : a.fleet.calls())
    if (c.role == "sub" && c.index == 1 && c.body.contains("throttle")) ++throttles;
  EXPECT_EQ(throttles, 2);  // on, then off
  ASSERT_EQ(r.clients.size(), 2u);
  // The throttled client fell behind during the fault (1000 msg/s sent, 50
  // read); the other read at the publisher's pace, both got everything
  // once the throttle lifted.
  const auto& slow_series = r.clients[1].series;
  const auto& free_series = r.clients[0].series;
  ASSERT_TRUE(slow_series.span.on());
  EXPECT_LT(slow_series.received[0], free_series.received[0] / 2);
  EXPECT_EQ(r.clients[1].unique, r.window.size());
}

TEST(FaultTimelineAgents, TheStepKeepsPerSecondSeries) {
  AgentRun a;
  const StepResult r = a.run(agent_step({}));
  EXPECT_EQ(r.status, "ok") << r.error;
  const auto& pub = r.publisher.series;
  ASSERT_TRUE(pub.span.on());
  uint64_t sent = 0;
  for (auto v : pub.sent) sent += v;
  EXPECT_EQ(sent, r.publisher.sent);
  for (const auto& c : r.clients) {
    uint64_t unique = 0;
    for (auto v : c.series.unique) unique += v;
    EXPECT_EQ(unique, c.unique);  // every window message in exactly one second
  }
}

}  // namespace
}  // namespace hydra
