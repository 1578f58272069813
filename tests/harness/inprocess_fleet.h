// An agent fleet (harness/agent_fleet.h) that runs in the test's process, for
// the step runner's unit tests: the real Publisher and Subscriber roles answer
// through the real JSON command handling (agents/control_server.h), on the
// fake transport of tests/agents/fake_drivers.h, wired by a MessageBus so
// every message the fake producer accepts reaches every fake consumer (as with
// per-client consumer groups, each client gets the whole stream). No process,
// socket or broker.
//
// Faults it can inject, each on a chosen call: an agent that dies (stops
// answering at once), one that hangs (killed as a real fleet sees it: this and
// every later call wait their whole timeout), a stopped one (signal()), a late reply (the command
// runs, its answer comes after the timeout), an interrupt raised by a call (harness/interrupt.h);
// and for the whole fleet: clients that never become ready, and slow delivery (one message per
// interval, so a drain never completes).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "agents/agent_role.h"
#include "agents/control_server.h"
#include "common/clock.h"
#include "harness/agent_fleet.h"
#include "tests/agents/fake_drivers.h"

namespace hydra::test {

// Fans every accepted message out to every registered consumer, at once or,
// when slowed, one message per interval from a backlog.
class MessageBus {
 public:
  ~MessageBus();
  void publish(int32_t partition, std::vector<uint8_t> value);
  void attach(FakeConsumer* consumer);
  void detach(FakeConsumer* consumer);
  // From now on one message per `interval` reaches the consumers.
  void slow_down(std::chrono::milliseconds interval);

 private:
  void pump();
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<FakeConsumer*> consumers_;
  std::deque<std::pair<int32_t, std::vector<uint8_t>>> backlog_;
  std::chrono::milliseconds interval_{0};
  bool stop_ = false;
  std::thread pump_;
};

class InProcessAgent;

class InProcessFleet final : public AgentFleet {
 public:
  // How the fleet's agents behave as a whole.
  struct Options {
    int partitions = 1;                          // every consumer is assigned 0..partitions-1
    std::set<int> never_ready;                   // client ids whose consumer never becomes ready
    std::chrono::milliseconds slow_delivery{0};  // > 0: one message per interval
  };

  // What a fault rule does to the call it matches.
  enum class Fault { kDie, kLateReply, kInterrupt, kHang };
  // Which call a fault rule matches: the nth call of `cmd` to an agent of
  // `role` ("pub" or "sub"), of that role's agent `index` when >= 0, whose
  // body `when` accepts when given.
  struct Match {
    std::string role;
    proto::Command cmd = proto::Command::kPing;
    int nth = 1;
    int index = -1;
    std::function<bool(const nlohmann::json& body)> when = nullptr;
  };

  // One call as it reached the fleet.
  struct Call {
    std::string role;
    int index = 0;
    proto::Command cmd;
    nlohmann::json body;
  };

  InProcessFleet();
  explicit InProcessFleet(Options options);
  ~InProcessFleet() override;

  void add_fault(Fault fault, Match match);

  // ---- AgentFleet
  void ensure(int publishers, int subscribers, std::chrono::milliseconds spawn_timeout) override;
  std::vector<FleetAgent*> publishers() override;
  std::vector<FleetAgent*> subscribers() override;
  void discard(FleetAgent& agent) override;
  Reply call(FleetAgent& agent, proto::Command cmd, const nlohmann::json& body,
             std::chrono::milliseconds timeout) override;
  // SIGKILL: the agent dies (as kDie). SIGSTOP: it answers nothing until
  // SIGCONT (a call waits for that, up to its timeout); its threads go on,
  // which a stopped process's would not. Others: refused.
  std::string signal(FleetAgent& agent, int sig) override;

  // ---- for assertions
  std::vector<Call> calls() const;
  int count(const std::string& role, proto::Command cmd) const;
  // Agents whose role is still running (publisher sending, clients polling).
  std::vector<std::string> running() const;
  // The fake producer of the current publisher agent `index` (null before
  // its first start).
  FakeProducer* producer(int index = 0) const;
  // The configurations publisher agent `index` (this one and those it
  // replaced) made producers with, in order.
  std::vector<proto::PublisherConfig> publisher_configs(int index = 0) const;
  int agents_started() const { return next_id_ - 1; }
  int discarded() const { return discarded_; }
  // Every signal sent, as "pub0" / "sub1" and the signal number.
  std::vector<std::pair<std::string, int>> signals() const;

 private:
  std::unique_ptr<InProcessAgent> make(const std::string& role, int index);
  // The fault the call triggers, if any (kDie/kLateReply/kInterrupt), else -1.
  int match_fault(const InProcessAgent& agent, proto::Command cmd, const nlohmann::json& body);

  Options options_;
  MessageBus bus_;  // outlives the agents: their consumers detach on destruction
  SystemClock clock_;
  // One per publisher agent index, kept across replacements: each agent's
  // producers are its own (publishers configure at once, on their threads).
  std::vector<std::unique_ptr<FakeProducerFactory>> producers_;
  mutable std::mutex mu_;  // guards calls_, rules_
  std::vector<Call> calls_;
  std::vector<std::pair<std::string, int>> signals_;
  struct Rule {
    Fault fault;
    Match match;
    int seen = 0;
  };
  std::vector<Rule> rules_;
  int next_id_ = 1;
  int discarded_ = 0;
  std::vector<std::unique_ptr<InProcessAgent>> pubs_;
  std::vector<std::unique_ptr<InProcessAgent>> subs_;
};

}  // namespace hydra::test
