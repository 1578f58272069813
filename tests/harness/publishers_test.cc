// Several publisher agents (publisher.agents, publisher.generators): the
// scenario keys and their errors, each agent's own settings and producer id,
// and a step over the in-process fleet (inprocess_fleet.h) whose figures sum
// the publishers' and whose subscribers count the union of their windows.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "common/message_header.h"
#include "harness/fault_timeline.h"
#include "harness/interrupt.h"
#include "harness/row.h"
#include "harness/scenario.h"
#include "harness/step_runner.h"
#include "harness/sweep.h"
#include "tests/harness/inprocess_fleet.h"

namespace hydra {
namespace {

using nlohmann::json;
using test::InProcessFleet;

Scenario parse(const std::string& text) {
  return parse_scenario(load_scenario_json(text, "p.json"), "p.json");
}

std::string error_of(const std::string& text) {
  try {
    auto sc = parse(text);
    expand_steps(sc);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ScenarioError for: " << text;
  return "";
}

// ---------------------------------------------------------------- keys

TEST(PublisherKeys, AgentsSplitTheRateEachUnthrottledAtZero) {
  const Scenario s = parse(R"({"publisher": {"agents": 3, "rate": 3000, "payload": "order"}})");
  EXPECT_EQ(publisher_agents(s), 3);
  const auto each = publisher_scenarios(s);
  ASSERT_EQ(each.size(), 3u);
  for (const auto& p : each) {
    EXPECT_DOUBLE_EQ(p.publisher.rate, 1000);
    EXPECT_EQ(scenario_value(p, "publisher.rate"), 1000);
    EXPECT_EQ(p.publisher.payload, "order");
  }
  const Scenario free = parse(R"({"publisher": {"agents": 2, "rate": 0}})");
  for (const auto& p : publisher_scenarios(free)) EXPECT_DOUBLE_EQ(p.publisher.rate, 0);
  // One agent: its scenario is the step's.
  const Scenario one = parse(R"({"publisher": {"rate": 500}})");
  ASSERT_EQ(publisher_scenarios(one).size(), 1u);
  EXPECT_DOUBLE_EQ(publisher_scenarios(one)[0].publisher.rate, 500);
}

TEST(PublisherKeys, GeneratorsOverrideTheSectionEachWithItsOwnRate) {
  const Scenario s = parse(R"({"publisher": {"rate": 50, "message_size": 200, "generators": [
      {"payload": "sensor", "encoding": "binary", "rate": 7},
      {"payload": "order", "encoding": "json", "keys": 4, "acks": -1},
      {"payload": "cpu", "keys": {"count": 2, "distribution": "uniform"}}]}})");
  EXPECT_EQ(publisher_agents(s), 3);
  const auto each = publisher_scenarios(s);
  ASSERT_EQ(each.size(), 3u);
  EXPECT_DOUBLE_EQ(each[0].publisher.rate, 7);
  EXPECT_EQ(each[0].publisher.payload, "sensor");
  EXPECT_EQ(each[0].publisher.message_size, 200);  // the section's
  // No rate of its own: the section's, not split.
  EXPECT_DOUBLE_EQ(each[1].publisher.rate, 50);
  EXPECT_EQ(each[1].publisher.encoding, "json");
  EXPECT_EQ(each[1].publisher.keys, 4);  // "keys": K is {"count": K}
  EXPECT_EQ(each[1].publisher.acks, "all");
  EXPECT_EQ(scenario_value(each[2], "publisher.keys.distribution"), "uniform");
  EXPECT_EQ(each[2].publisher.keys, 2);
  // The resolved document keeps the generators, normalized.
  EXPECT_EQ(s.resolved["publisher"]["generators"][1]["keys"]["count"], 4);
  EXPECT_EQ(s.resolved["publisher"]["generators"][1]["acks"], "all");
}

TEST(PublisherKeys, BadGeneratorsNameTheEntryAndTheKey) {
  struct Case {
    std::string publisher, want;
  };
  const Case cases[] = {
      {R"("generators": {"rate": 1})", "publisher.generators: must be an array of objects"},
      {R"("generators": [3])", "publisher.generators[0]: must be an object"},
      {R"("generators": [{"rate": 1}, {"bogus": 1}])",
       "publisher.generators[1].bogus: cannot be set per generator (allowed: rate,"},
      {R"("generators": [{"rate": -1}])", "publisher.generators[0].rate: must be a number >= 0"},
      {R"("generators": [{"encoding": "xml"}])",
       "publisher.generators[0].encoding: must be one of"},
      {R"("generators": [{"transactional": true}])",
       "publisher.generators[0].transactional: cannot be set per generator"},
      {R"("generators": [{"keys": {"zipf": 1}}])",
       "publisher.generators[0].keys.zipf: unknown key"},
      {R"("generators": [{"keys": {"hot_threshold": 3}}])",
       "publisher.generators[0].keys.hot_threshold: is one for the whole run"},
      {R"("generators": [{"payload": "sensor", "message_size": 60}])",
       "publisher.generators[0].message_size: 60 is too small for publisher.generators[0].payload "
       "\"sensor\""},
      {R"("generators": [{}, {"keys": {"distribution": "zipf"}}])",
       "publisher.generators[1].keys.distribution: \"zipf\" needs "
       "publisher.generators[1].keys.count"},
      {R"("agents": 2, "generators": [{}, {}, {}])",
       "publisher.agents: 2 conflicts with publisher.generators (3 entries)"},
      {R"("agents": 0)", "publisher.agents: must be an integer in 1..64"},
      {R"("idempotent": true, "acks": "all", "generators": [{}, {"acks": 1}])",
       "publisher.generators[1].acks: \"1\" with idempotence on"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.publisher);
    const std::string e = error_of(R"({"publisher": {)" + c.publisher + "}}");
    EXPECT_NE(e.find("p.json: " + c.want), std::string::npos) << e;
  }
  // Processing needs sensor records from every generator.
  const std::string e = error_of(
      R"({"subscribers": {"processing": {"kind": "window-agg"}}, "publisher": {"payload": "sensor", "message_size": 104,
          "generators": [{}, {"payload": "order", "encoding": "json"}]}})");
  EXPECT_NE(
      e.find("subscribers.processing.kind: \"window-agg\" needs publisher.generators[1].payload "
             "\"sensor\" (got \"order\")"),
      std::string::npos)
      << e;
  // The same count as the generators is no conflict.
  EXPECT_EQ(publisher_agents(parse(R"({"publisher": {"agents": 2, "generators": [{}, {}]}})")), 2);
}

TEST(PublisherKeys, APublisherFaultsIndexIsCheckedAgainstTheAgents) {
  const std::string kill1 =
      R"("duration_s": 5, "faults": [{"at_s": 1, "action": "kill", "target": "publisher", "index": 1}])";
  EXPECT_NE(error_of("{" + kill1 + "}")
                .find("faults[0].index: publisher agent 1 does not exist (the step has 1"),
            std::string::npos);
  const Scenario s = parse(R"({"publisher": {"agents": 2}, )" + kill1 + "}");
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_EQ(s.faults[0].agent_index, 1);
  EXPECT_EQ(parse(R"({"publisher": {"generators": [{}, {}]}, )" + kill1 + "}").faults.size(), 1u);
}

// ---------------------------------------------------------------- steps

class NullReporter final : public Reporter {
 public:
  void on_step_done(const Row&, const StepResult&) override {}
  void on_progress(const Progress&) override {}
};

// 2 clients on 2 subscriber agents, 0.6 s measured, at `rate` msg/s.
Step step_of(double rate) {
  Step s;
  Scenario& sc = s.scenario;
  sc.duration_s = 0.6;
  sc.warmup_s = 0.1;
  sc.drain_timeout_s = 2;
  sc.control_timeout_s = 0.5;
  sc.publisher.rate = rate;
  sc.subscribers.clients = 2;
  sc.subscribers.clients_per_agent = 1;
  return s;
}

struct PubRun {
  InProcessFleet fleet;
  NullReporter reporter;
  StepLimits limits;
  std::unique_ptr<StepRunner> runner;
  static constexpr uint32_t kProducerId = 5;

  ~PubRun() { request_interrupt(0); }

  StepResult run(const Step& step) {
    limits.sample_interval_s = 0.1;
    runner = std::make_unique<StepRunner>(fleet, reporter, std::chrono::steady_clock::now(),
                                          nullptr, limits);
    std::unique_ptr<FaultTimeline> timeline;
    if (!step.scenario.faults.empty()) {
      timeline = std::make_unique<FaultTimeline>(step.scenario.faults, nullptr);
      runner->set_timeline(timeline.get());
    }
    StepPlan plan;
    plan.step = &step;
    plan.bootstrap = "in-process";
    plan.topic = "t";
    plan.producer_id = kProducerId;
    plan.group_prefix = "g";
    return runner->run(plan);
  }

  // Messages publisher agent `index`'s fake producer accepted inside `w`,
  // each checked to carry w's producer id.
  uint64_t sent_in(int index, const ProducerWindow& w) {
    uint64_t n = 0;
    for (const auto& m : fleet.producer(index)->sent()) {
      const MessageHeader h = m.header();
      EXPECT_EQ(h.producer_id, w.producer_id);
      const auto from = w.from.find(h.partition);
      const auto until = w.until.find(h.partition);
      if (from != w.from.end() && until != w.until.end() && h.sequence >= from->second &&
          h.sequence < until->second)
        ++n;
    }
    return n;
  }
};

TEST(SeveralPublishers, TwoSplitTheRateAndEveryClientCountsTheUnion) {
  PubRun a;
  Step step = step_of(2000);
  step.scenario.publisher.agents = 2;
  const StepResult r = a.run(step);
  ASSERT_EQ(r.status, "ok") << r.error;
  // Each agent was configured with half the rate and its own producer id.
  ASSERT_EQ(a.fleet.publisher_configs(0).size(), 1u);
  ASSERT_EQ(a.fleet.publisher_configs(1).size(), 1u);
  EXPECT_DOUBLE_EQ(a.fleet.publisher_configs(0)[0].rate, 1000);
  EXPECT_DOUBLE_EQ(a.fleet.publisher_configs(1)[0].rate, 1000);
  EXPECT_EQ(a.fleet.publisher_configs(0)[0].producer_id, PubRun::kProducerId);
  EXPECT_EQ(a.fleet.publisher_configs(1)[0].producer_id, PubRun::kProducerId + (1u << 24));
  // Both windows, each the messages its producer sent.
  ASSERT_EQ(r.windows.size(), 2u);
  EXPECT_EQ(r.windows[0].producer_id, PubRun::kProducerId);
  EXPECT_EQ(r.windows[1].producer_id, PubRun::kProducerId + (1u << 24));
  const uint64_t w0 = r.windows[0].size(), w1 = r.windows[1].size();
  EXPECT_GT(w0, 300u);
  EXPECT_GT(w1, 300u);
  EXPECT_EQ(a.sent_in(0, r.windows[0]), w0);
  EXPECT_EQ(a.sent_in(1, r.windows[1]), w1);
  // The step's window and publisher figures are the sums.
  EXPECT_EQ(r.window.size(), w0 + w1);
  ASSERT_TRUE(r.publisher_ok);
  EXPECT_EQ(r.publisher.sent, w0 + w1);
  EXPECT_EQ(r.publisher.ack_latency.count(), r.publisher.acked);
  EXPECT_EQ(r.publisher.acked, w0 + w1);
  // Every client got both producers' windows, nothing lost.
  ASSERT_EQ(r.clients.size(), 2u);
  for (const auto& c : r.clients) {
    EXPECT_EQ(c.unique, w0 + w1) << "client " << c.client_id;
    EXPECT_EQ(c.lost, 0u);
    EXPECT_EQ(c.latency.count(), w0 + w1);
  }
  // Per publisher in the step JSON.
  ASSERT_TRUE(r.publishers.is_array());
  ASSERT_EQ(r.publishers.size(), 2u);
  EXPECT_EQ(r.publishers[0]["sent"], w0);
  EXPECT_EQ(r.publishers[1]["sent"], w1);
  EXPECT_EQ(r.publishers[1]["status"], "ok");
  EXPECT_EQ(r.publishers[1]["target_rate"], 1000.0);
  EXPECT_NEAR(r.publishers[0]["rate"].get<double>(), 1000, 150);
  EXPECT_TRUE(r.to_json().contains("windows"));
  // The row: sums, and the whole union expected.
  const Row row = compute_row(r);
  EXPECT_EQ(row.packet_tx, w0 + w1);
  EXPECT_DOUBLE_EQ(*row.average_tx_rate, double(w0 + w1) / r.measured_s);
  EXPECT_NEAR(*row.average_tx_rate, 2000, 300);
  EXPECT_EQ(row.lost, 0u);
  EXPECT_EQ(row.failing_clients, 0);
  EXPECT_DOUBLE_EQ(row.msg_rate, 2000);
}

TEST(SeveralPublishers, GeneratorsSendTheirOwnRecordsAndTheRowWeighsThem) {
  PubRun a;
  Step step = step_of(0);
  Scenario& sc = step.scenario;
  sc.resolved["publisher"]["generators"] = json::array(
      {json{{"payload", "sensor"}, {"encoding", "binary"}, {"rate", 300}, {"message_size", 104}},
       json{{"payload", "order"}, {"encoding", "json"}, {"rate", 100}}});
  const StepResult r = a.run(step);
  ASSERT_EQ(r.status, "ok") << r.error;
  EXPECT_EQ(a.fleet.publisher_configs(0)[0].payload, "sensor");
  EXPECT_EQ(a.fleet.publisher_configs(1)[0].payload, "order");
  EXPECT_EQ(a.fleet.publisher_configs(1)[0].encoding, "json");
  ASSERT_EQ(r.publishers.size(), 2u);
  const json& simple = r.publishers[0];
  const json& complex = r.publishers[1];
  EXPECT_EQ(simple["payload"], "sensor");
  EXPECT_EQ(complex["encoding"], "json");
  EXPECT_NEAR(simple["rate"].get<double>(), 300, 60);
  EXPECT_NEAR(complex["rate"].get<double>(), 100, 30);
  // The binary record is written in place (no encode time); the json one is
  // serialized, and its document is its own size.
  EXPECT_DOUBLE_EQ(simple["payload_bytes"].get<double>(), 104);
  EXPECT_TRUE(simple["encode_us"].is_null());
  EXPECT_GT(complex["encode_us"].get<double>(), 0);
  EXPECT_NE(complex["payload_bytes"].get<double>(), 104);
  // The row's payload_bytes is the mean over all the window's messages.
  const Row row = compute_row(r);
  const double sent0 = simple["sent"].get<double>(), sent1 = complex["sent"].get<double>();
  const double mean = (simple["payload_bytes"].get<double>() * sent0 +
                       complex["payload_bytes"].get<double>() * sent1) /
                      (sent0 + sent1);
  EXPECT_NEAR(std::get<double>(row.value("payload_bytes")), mean, 1e-6);
  EXPECT_DOUBLE_EQ(row.msg_rate, 400);
  for (const auto& c : r.clients) EXPECT_EQ(c.unique, r.window.size());
}

TEST(SeveralPublishers, AKilledPublisherFailsTheStepTheOtherIsStillCounted) {
  PubRun a;
  Step step = step_of(1000);
  step.scenario.duration_s = 1.0;
  step.scenario.publisher.agents = 2;
  FaultSpec kill;
  kill.action = "kill";
  kill.at_s = 0.3;
  kill.target = "publisher";
  kill.agent_index = 1;
  step.scenario.faults = {kill};
  const StepResult r = a.run(step);
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.error.find("publisher agent 1 killed by the fault timeline"), std::string::npos)
      << r.error;
  EXPECT_EQ(a.fleet.signals(), (std::vector<std::pair<std::string, int>>{{"pub1", SIGKILL}}));
  // Publisher 0's window is the step's; every client counted it whole.
  ASSERT_EQ(r.windows.size(), 1u);
  EXPECT_EQ(r.windows[0].producer_id, PubRun::kProducerId);
  const uint64_t w0 = r.windows[0].size();
  EXPECT_GT(w0, 300u);
  EXPECT_EQ(r.window.size(), w0);
  EXPECT_EQ(r.publisher.sent, w0);
  ASSERT_EQ(r.clients.size(), 2u);
  for (const auto& c : r.clients) {
    EXPECT_EQ(c.unique, w0);
    EXPECT_EQ(c.lost, 0u);
  }
  ASSERT_EQ(r.publishers.size(), 2u);
  EXPECT_EQ(r.publishers[0]["status"], "ok");
  EXPECT_EQ(r.publishers[1]["status"], "killed");
  EXPECT_FALSE(r.publishers[1].contains("sent"));  // not measured: no figure
  const Row row = compute_row(r);
  EXPECT_EQ(row.status, "failed");
  EXPECT_EQ(row.packet_tx, w0);
  EXPECT_EQ(row.lost, 0u);
}

TEST(SeveralPublishers, OneThatDiesAtItsStopIsNotAskedAgainTheOtherIsCounted) {
  PubRun a;
  Step step = step_of(1000);
  step.scenario.publisher.agents = 2;
  a.fleet.add_fault(InProcessFleet::Fault::kDie, {"pub", proto::Command::kStop, 1, 1});
  const StepResult r = a.run(step);
  EXPECT_EQ(r.status, "failed");
  // Named once: after its stop went unanswered nobody asked it again (the
  // drain's samples and the collection ask publisher 0 only).
  ASSERT_NE(r.error.find("publisher agent 1: stop:"), std::string::npos) << r.error;
  size_t named = 0;
  for (size_t at = r.error.find("publisher agent 1:"); at != std::string::npos;
       at = r.error.find("publisher agent 1:", at + 1))
    ++named;
  EXPECT_EQ(named, 1u) << r.error;
  EXPECT_EQ(a.fleet.discarded(), 1);
  ASSERT_EQ(r.windows.size(), 1u);
  const uint64_t w0 = r.windows[0].size();
  EXPECT_GT(w0, 200u);
  for (const auto& c : r.clients) EXPECT_EQ(c.unique, w0);
  ASSERT_EQ(r.publishers.size(), 2u);
  EXPECT_EQ(r.publishers[0]["status"], "ok");
  EXPECT_EQ(r.publishers[0]["sent"], w0);
  EXPECT_EQ(r.publishers[1]["status"], "failed");
  int stats_after_stop = 0;
  bool stopped = false;
  for (const auto& c : a.fleet.calls()) {
    if (c.role != "pub" || c.index != 1) continue;
    if (c.cmd == proto::Command::kStop)
      stopped = true;
    else if (stopped)
      ++stats_after_stop;
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(stats_after_stop, 0);
}

}  // namespace
}  // namespace hydra
