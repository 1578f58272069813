// The step runner (harness/step_runner.h, step_run.h) through the in-process
// fleet (inprocess_fleet.h): the real publisher and subscriber roles on fake
// transport, so each phase and each failure path is checked in well under a
// second per step, without processes or a broker.
#include "harness/step_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <ostream>
#include <string>
#include <vector>

#include "common/message_header.h"
#include "harness/interrupt.h"
#include "harness/timeline.h"
#include "tests/harness/inprocess_fleet.h"

namespace hydra {
namespace {

using nlohmann::json;
using proto::Command;
using test::InProcessFleet;

class NullReporter final : public Reporter {
 public:
  void on_step_done(const Row&, const StepResult&) override {}
  void on_progress(const Progress& p) override { phases.push_back(p.phase); }
  std::vector<std::string> phases;
};

// A short step: 4 clients over 2 subscriber agents, 0.2 s measured.
Step short_step(int index = 0) {
  Step s;
  s.index = index;
  Scenario& sc = s.scenario;
  sc.duration_s = 0.2;
  sc.warmup_s = 0.1;
  sc.drain_timeout_s = 2;
  sc.control_timeout_s = 0.5;
  sc.publisher.rate = 2000;
  sc.subscribers.clients = 4;
  sc.subscribers.clients_per_agent = 2;
  return s;
}

bool has_window(const json& body) {
  return body.contains("window");
}
bool has_histograms(const json& body) {
  return body.contains("histograms");
}

class StepRunnerTest : public ::testing::Test {
 protected:
  void TearDown() override { request_interrupt(0); }  // the flag is process-wide

  StepResult run(const Step& step, int repeat = 0) {
    StepPlan plan;
    plan.step = &step;
    plan.repeat = repeat;
    plan.bootstrap = "in-process";
    plan.topic = "t";
    plan.producer_id = uint32_t(7 + 10 * step.index + repeat);  // unique within the run
    plan.group_prefix = "g" + std::to_string(step.index) + "-" + std::to_string(repeat);
    return runner().run(plan);
  }

  // Messages the fake producer accepted inside the result's window.
  uint64_t sent_in_window(const StepResult& r) {
    uint64_t n = 0;
    for (const auto& m : fleet->producer()->sent()) {
      const MessageHeader h = m.header();
      const auto from = r.window.from.find(h.partition);
      const auto until = r.window.until.find(h.partition);
      if (from != r.window.from.end() && until != r.window.until.end() &&
          h.sequence >= from->second && h.sequence < until->second)
        ++n;
    }
    return n;
  }

  // Builds the runner over a fleet with these options (the default is set up
  // by the fixture).
  void remake(InProcessFleet::Options options, StepLimits limits = {}) {
    runner_holder.reset();
    fleet = std::make_unique<InProcessFleet>(std::move(options));
    runner_holder = std::make_unique<StepRunner>(*fleet, reporter, std::chrono::steady_clock::now(),
                                                 nullptr, limits);
  }

  NullReporter reporter;
  std::unique_ptr<InProcessFleet> fleet = std::make_unique<InProcessFleet>();
  std::unique_ptr<StepRunner> runner_holder =
      std::make_unique<StepRunner>(*fleet, reporter, std::chrono::steady_clock::now(), nullptr);
  StepRunner& runner() { return *runner_holder; }
};

TEST_F(StepRunnerTest, CleanStepIsOkAndLossless) {
  Step step = short_step();
  step.scenario.duration_s = 0.5;  // long enough for a progress sample inside the window
  const StepResult r = run(step);
  EXPECT_EQ(r.status, "ok") << r.error;
  EXPECT_EQ(r.error, "");
  ASSERT_TRUE(r.publisher_ok);
  ASSERT_GT(r.window.size(), 0u);
  EXPECT_EQ(r.window.size(), sent_in_window(r));
  EXPECT_EQ(r.publisher.sent, r.window.size());
  ASSERT_EQ(r.clients.size(), 4u);
  for (int c = 0; c < 4; ++c) {
    EXPECT_EQ(r.clients[size_t(c)].client_id, c);
    EXPECT_EQ(r.clients[size_t(c)].unique, r.window.size()) << "client " << c;
    EXPECT_EQ(r.clients[size_t(c)].lost, 0u) << "client " << c;
  }
  EXPECT_TRUE(r.unanswered_clients.empty());
  EXPECT_EQ(r.subscriber_usage.size(), 2u);
  EXPECT_GT(r.measured_s, 0.45);
  EXPECT_LT(r.measured_s, 0.5 + 0.2);
  EXPECT_GT(runner().timings().configure_s, 0);
  // A good step leaves its subscribers running warm for the next; the
  // publisher is stopped.
  EXPECT_EQ(fleet->running().size(), 2u);
  EXPECT_NE(std::find(reporter.phases.begin(), reporter.phases.end(), "measure"),
            reporter.phases.end());
}

TEST_F(StepRunnerTest, WarmReuseSendsNoSecondConfigure) {
  const StepResult first = run(short_step(0));
  ASSERT_EQ(first.status, "ok") << first.error;
  EXPECT_EQ(fleet->count("sub", Command::kConfigure), 2);
  EXPECT_EQ(fleet->count("sub", Command::kReset), 2);  // the window reset

  const StepResult second = run(short_step(1));
  EXPECT_EQ(second.status, "ok") << second.error;
  EXPECT_EQ(fleet->count("sub", Command::kConfigure), 2);  // none more
  EXPECT_EQ(fleet->count("sub", Command::kStart), 2);
  int seeks = 0;
  for (const auto& c : fleet->calls())
    if (c.role == "sub" && c.cmd == Command::kReset && c.body.value("seek", "") == "end") ++seeks;
  EXPECT_EQ(seeks, 2);  // warm clients start from the end of the log
  EXPECT_EQ(fleet->agents_started(), 3);
  ASSERT_EQ(second.clients.size(), 4u);
  for (const auto& c : second.clients) {
    EXPECT_EQ(c.unique, second.window.size());
    EXPECT_EQ(c.lost, 0u);
  }

  // With 3 clients, sub agent 0 keeps its shape (clients 0-1) and stays warm;
  // sub agent 1 (now client 2 alone) is stopped and configured again.
  Step other = short_step(2);
  other.scenario.subscribers.clients = 3;
  const StepResult third = run(other);
  EXPECT_EQ(third.status, "ok") << third.error;
  int configures = 0, stops = 0;
  for (const auto& c : fleet->calls()) {
    if (c.role != "sub" || c.index != 1) continue;
    configures += c.cmd == Command::kConfigure;
    stops += c.cmd == Command::kStop;
  }
  EXPECT_EQ(fleet->count("sub", Command::kConfigure), 3);
  EXPECT_EQ(configures, 2);
  EXPECT_EQ(stops, 1);
  EXPECT_EQ(third.clients.size(), 3u);
}

TEST_F(StepRunnerTest, DeadSubscriberAgentFailsExactlyItsClients) {
  fleet->add_fault(InProcessFleet::Fault::kDie, {"sub", Command::kStatus, 1, 1});
  const StepResult r = run(short_step());
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("sub agent 1"), std::string::npos) << r.error;
  EXPECT_EQ(r.unanswered_clients, (std::vector<int>{2, 3}));
  ASSERT_EQ(r.clients.size(), 2u);  // the row still has the living agent's clients
  EXPECT_EQ(r.clients[0].client_id, 0);
  EXPECT_EQ(r.clients[1].client_id, 1);
  for (const auto& c : r.clients) {
    EXPECT_EQ(c.unique, r.window.size());
    EXPECT_EQ(c.lost, 0u);
  }
  EXPECT_TRUE(r.publisher_ok);
  EXPECT_EQ(fleet->discarded(), 1);
  EXPECT_TRUE(fleet->running().empty());  // failed step: everything stopped
}

TEST_F(StepRunnerTest, LateReplyIsUnanswered) {
  // Sub agent 0 answers the collect's stats after the timeout.
  fleet->add_fault(InProcessFleet::Fault::kLateReply,
                   {"sub", Command::kStats, 1, 0,
                    [](const json& b) { return has_window(b) && !has_histograms(b); }});
  Step step = short_step();
  step.scenario.control_timeout_s = 0.25;  // the fleet holds the late reply this long
  const StepResult r = run(step);
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("sub agent 0"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("no answer"), std::string::npos) << r.error;
  EXPECT_EQ(r.unanswered_clients, (std::vector<int>{0, 1}));
  ASSERT_EQ(r.clients.size(), 2u);
  EXPECT_EQ(r.clients[0].client_id, 2);
  EXPECT_EQ(fleet->discarded(), 1);
  EXPECT_TRUE(fleet->running().empty());
}

// A subscriber agent killed inside the window: the sample that finds it waits
// no longer than the window's end, so the publisher's stop is issued on time
// (measured_s is the planned window, not window + control timeout).
TEST_F(StepRunnerTest, HungSubscriberDoesNotStretchTheWindow) {
  // Its 2nd light stats: the measure phase's sample at 0.75 s (the 1st is the
  // warm-up's).
  fleet->add_fault(InProcessFleet::Fault::kHang,
                   {"sub", Command::kStats, 2, 1, [](const json& b) { return !has_window(b); }});
  Step step = short_step();
  step.scenario.duration_s = 1.5;
  step.scenario.control_timeout_s = 1.0;
  const StepResult r = run(step);
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("sub agent 1"), std::string::npos) << r.error;
  EXPECT_EQ(r.unanswered_clients, (std::vector<int>{2, 3}));
  ASSERT_TRUE(r.publisher_ok);
  EXPECT_GT(r.measured_s, 1.4);
  EXPECT_LT(r.measured_s, 1.5 + 0.3) << "the window waited for the hung agent";
  ASSERT_EQ(r.clients.size(), 2u);  // the living agent's clients got the whole window
  for (const auto& c : r.clients) EXPECT_EQ(c.unique, r.window.size());
}

// An agent whose sample reply comes late inside the window is not declared
// dead for a bound the window imposed: it is asked again, with the full
// timeout, after the window closed.
TEST_F(StepRunnerTest, LateSampleInsideTheWindowIsNotAFailure) {
  fleet->add_fault(InProcessFleet::Fault::kLateReply,
                   {"sub", Command::kStats, 2, 1, [](const json& b) { return !has_window(b); }});
  Step step = short_step();
  step.scenario.duration_s = 1.5;
  step.scenario.control_timeout_s = 1.0;
  const StepResult r = run(step);
  EXPECT_EQ(r.status, "ok") << r.error;
  EXPECT_LT(r.measured_s, 1.5 + 0.3);
  ASSERT_EQ(r.clients.size(), 4u);
  EXPECT_TRUE(r.unanswered_clients.empty());
}

TEST_F(StepRunnerTest, ClientNeverReadyFailsTheBarrier) {
  StepLimits limits;
  limits.barrier_base_s = 0.4;
  limits.barrier_per_client_s = 0;
  remake({1, {3}, {}}, limits);
  const StepResult r = run(short_step());
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("readiness barrier: 3 of 4 clients ready"), std::string::npos) << r.error;
  EXPECT_EQ(fleet->count("pub", Command::kStart), 0);  // nothing was sent
  EXPECT_TRUE(fleet->running().empty());
}

TEST_F(StepRunnerTest, DrainThatNeverCompletesEndsAtItsBound) {
  // One message per 20 ms reaches the clients: they keep receiving, never all
  // of the window, so only drain_timeout_s ends the drain.
  remake({1, {}, std::chrono::milliseconds(20)});
  Step step = short_step();
  step.scenario.drain_timeout_s = 0.4;
  const StepResult r = run(step);
  EXPECT_EQ(r.status, "ok") << r.error;
  EXPECT_GE(runner().timings().drain_s, 0.4);
  EXPECT_LT(runner().timings().drain_s, 0.4 + 0.8);
  ASSERT_FALSE(r.clients.empty());
  EXPECT_LT(r.clients[0].unique, r.window.size());  // it did not complete
}

TEST_F(StepRunnerTest, TimedActionFiresAtItsTimeInsideTheWindow) {
  TimedActions timeline;
  std::vector<double> fired_at;
  size_t calls_when_fired = 0;
  timeline.add(0.1, "mark", [&](double window_s) {
    fired_at.push_back(window_s);
    calls_when_fired = fleet->calls().size();
  });
  runner().set_timeline(&timeline);
  Step step = short_step();
  step.scenario.duration_s = 0.4;
  const StepResult r = run(step);
  EXPECT_EQ(r.status, "ok") << r.error;
  ASSERT_EQ(fired_at.size(), 1u);
  // At its time, not at the next once-a-second sample (nor the window's end).
  EXPECT_GE(fired_at[0], 0.1);
  EXPECT_LT(fired_at[0], 0.4);
  // Between the publisher's reset (the window opens) and its stop.
  const auto calls = fleet->calls();
  size_t reset = 0, stop = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].role != "pub") continue;
    if (calls[i].cmd == Command::kReset) reset = i + 1;
    if (calls[i].cmd == Command::kStop && !stop) stop = i + 1;
  }
  ASSERT_GT(reset, 0u);
  EXPECT_GE(calls_when_fired, reset);
  EXPECT_LT(calls_when_fired, stop);
}

TEST(TimedActions, FireOnceWhenDueAndAgainInTheNextWindow) {
  TimedActions t;
  std::vector<std::string> fired;
  t.add(0.5, "a", [&](double) { fired.push_back("a"); });
  t.add(0.2, "b", [&](double) { fired.push_back("b"); });
  t.window_opened({});
  EXPECT_DOUBLE_EQ(t.next_due_s(0.0), 0.2);
  t.tick(0.1);
  EXPECT_TRUE(fired.empty());
  t.tick(0.3);  // b is due, a is not
  EXPECT_EQ(fired, (std::vector<std::string>{"b"}));
  EXPECT_DOUBLE_EQ(t.next_due_s(0.3), 0.2);
  t.tick(0.9);  // a was missed by a slow tick: it fires late, once
  t.tick(1.0);
  EXPECT_EQ(fired, (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(std::isinf(t.next_due_s(1.0)));
  t.window_opened({});  // the next step's window
  t.tick(1.0);
  EXPECT_EQ(fired.size(), 4u);
}

TEST(TimedActions, EmptyHasNothingDue) {
  TimedActions t;
  t.window_opened({});
  EXPECT_TRUE(std::isinf(t.next_due_s(0)));
  t.tick(100);  // nothing to fire, nothing thrown
}

// An interrupt raised by one call ends the step in that call's phase.
struct InterruptCase {
  const char* phase;  // for the test name
  InProcessFleet::Match match;
  const char* error;         // what the step's error must say
  bool window_kept = false;  // the window was open: its figures are collected
  double duration_s = 0.2;   // of the step
};

// Names the case in ctest's list (not the bytes of the struct).
void PrintTo(const InterruptCase& c, std::ostream* os) {
  *os << c.phase;
}

class StepRunnerInterruptTest : public StepRunnerTest,
                                public ::testing::WithParamInterface<InterruptCase> {};

TEST_P(StepRunnerInterruptTest, IsInterruptedNamingThePhaseAndLeavesNothingRunning) {
  fleet->add_fault(InProcessFleet::Fault::kInterrupt, GetParam().match);
  Step step = short_step();
  step.scenario.duration_s = GetParam().duration_s;
  const StepResult r = run(step);
  EXPECT_TRUE(interrupted());
  EXPECT_EQ(r.status, "interrupted");
  EXPECT_NE(r.error.find(GetParam().error), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("failed"), std::string::npos) << r.error;
  if (GetParam().window_kept) {
    // What the window measured until the interrupt is in the result.
    EXPECT_TRUE(r.publisher_ok) << r.error;
    EXPECT_GT(r.window.size(), 0u);
    EXPECT_GT(r.measured_s, 0.0);
    EXPECT_EQ(r.clients.size(), 4u);
  } else {
    EXPECT_FALSE(r.publisher_ok);
  }
  EXPECT_TRUE(fleet->running().empty())
      << fleet->running().size() << " agents still running, e.g. " << fleet->running()[0];
}

INSTANTIATE_TEST_SUITE_P(
    EachPhase, StepRunnerInterruptTest,
    ::testing::Values(
        InterruptCase{"configure", {"sub", Command::kConfigure, 1}, "interrupted during configure"},
        InterruptCase{
            "barrier", {"sub", Command::kStatus, 1}, "interrupted during the readiness barrier"},
        InterruptCase{"start_publisher",
                      {"pub", Command::kStart, 1},
                      "interrupted while starting the publisher"},
        // warm-up 0.1 s, under the 1 s sampling interval: one publisher
        // stats sample at its end. The measure phase samples at 0.65 s, and
        // not in the window's last 0.2 s.
        InterruptCase{"warmup", {"pub", Command::kStats, 1}, "interrupted during warm-up"},
        InterruptCase{"reset", {"pub", Command::kReset, 1}, "interrupted during the reset"},
        InterruptCase{
            "measure", {"pub", Command::kStats, 2}, "interrupted while measuring", true, 1.3},
        InterruptCase{"stop_publisher",
                      {"pub", Command::kStop, 1},
                      "interrupted while stopping the publisher",
                      true},
        InterruptCase{"drain",
                      {"sub", Command::kStats, 1, -1,
                       [](const json& b) { return has_window(b) && has_histograms(b); }},
                      "interrupted while draining",
                      true},
        InterruptCase{"collect",
                      {"sub", Command::kStats, 1, -1,
                       [](const json& b) { return has_window(b) && !has_histograms(b); }},
                      "interrupted while collecting",
                      true}),
    [](const ::testing::TestParamInfo<InterruptCase>& info) {
      return std::string(info.param.phase);
    });

}  // namespace
}  // namespace hydra
