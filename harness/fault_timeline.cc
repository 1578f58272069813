#include "harness/fault_timeline.h"

#include <signal.h>

#include <cmath>
#include <limits>

#include "common/clock.h"
#include "harness/fault_broker.h"

namespace hydra {

FaultTimeline::FaultTimeline(std::vector<FaultSpec> faults, EmbeddedBroker* broker)
    : faults_(std::move(faults)), broker_(broker), applied_(faults_.size()) {}

FaultTimeline::~FaultTimeline() {
  join_commands();
}

void FaultTimeline::window_opened(const TimelineContext& ctx) {
  join_commands();
  ctx_ = ctx;
  applied_.assign(faults_.size(), Applied{});
}

// Faults that are undone after for_s; the others happen once.
bool FaultTimeline::lasts(const FaultSpec& f) const {
  return f.action == "broker_down" || f.action == "broker_rtt" || f.action == "pause" ||
         f.action == "slow";
}

double FaultTimeline::next_due_s(double window_s) const {
  double next = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < faults_.size(); ++i) {
    const FaultSpec& f = faults_[i];
    if (!applied_[i].started_s)
      next = std::min(next, f.at_s - window_s);
    else if (lasts(f) && !applied_[i].ended_s)
      next = std::min(next, f.at_s + f.for_s - window_s);
  }
  return next < 0 ? 0 : next;
}

void FaultTimeline::tick(double window_s) {
  // A tick at exactly a fault's time (at_s + for_s summed in floating point)
  // counts as on time.
  window_s += 1e-9;
  for (size_t i = 0; i < faults_.size(); ++i) {
    const FaultSpec& f = faults_[i];
    if (!applied_[i].started_s && f.at_s <= window_s) start(i);
    if (applied_[i].started_s && lasts(f) && !applied_[i].ended_s && f.at_s + f.for_s <= window_s)
      end(i);
  }
}

void FaultTimeline::window_closed() {
  for (size_t i = 0; i < faults_.size(); ++i)
    if (applied_[i].started_s && lasts(faults_[i]) && !applied_[i].ended_s) end(i);
  join_commands();
}

double FaultTimeline::since_window_s() const {
  return double(wall_ns() - ctx_.window_from_ns) / 1e9;
}

FleetAgent* FaultTimeline::agent_of(const FaultSpec& f) const {
  if (f.target == "publisher") {
    if (f.agent_index >= 0 && size_t(f.agent_index) < ctx_.publishers.size())
      return ctx_.publishers[size_t(f.agent_index)];
    return f.agent_index == 0 ? ctx_.publisher : nullptr;
  }
  if (f.agent_index >= 0 && size_t(f.agent_index) < ctx_.subscribers.size())
    return ctx_.subscribers[size_t(f.agent_index)];
  return nullptr;
}

void FaultTimeline::start(size_t i) {
  const FaultSpec& f = faults_[i];
  Applied& a = applied_[i];
  a.started_s = since_window_s();
  try {
    if (f.is_broker_action() && !broker_)
      throw std::runtime_error("no embedded broker in this step");
    if (f.action == "broker_down") {
      FaultBroker(*broker_).set_up(f.broker ? f.broker : 1, false);
    } else if (f.action == "broker_rtt") {
      FaultBroker(*broker_).set_delay(f.broker, std::chrono::milliseconds(int64_t(f.delay_ms)));
    } else if (f.action == "leader_change") {
      a.detail["leader"] = FaultBroker(*broker_).move_leader(ctx_.topic, f.partition, f.to_broker);
    } else if (f.action == "request_errors") {
      FaultBroker(*broker_).push_errors(f.broker, f.api_key, f.error_code, f.count);
    } else if (f.action == "disconnect") {
      FaultBroker(*broker_).disconnect(f.broker);
    } else if (f.action == "kill" || f.action == "pause") {
      FleetAgent* agent = agent_of(f);
      if (!agent || !ctx_.fleet) throw std::runtime_error("the step has no such agent");
      a.detail["agent"] = agent->describe();
      // The signal, then the step learns (it may discard a killed agent,
      // which reaps it); ticks run on the step's own thread, so no call to
      // the agent is in flight between the two.
      const std::string e = ctx_.fleet->signal(*agent, f.action == "kill" ? SIGKILL : SIGSTOP);
      if (!e.empty()) throw std::runtime_error(e);
      if (ctx_.on_agent)
        ctx_.on_agent(*agent, f.action == "kill" ? AgentEvent::kKilled : AgentEvent::kPaused);
    } else if (f.action == "slow") {
      FleetAgent* agent = agent_of(f);
      if (!agent || !ctx_.fleet) throw std::runtime_error("the step has no such agent");
      a.detail["agent"] = agent->describe();
      const Reply r = ctx_.fleet->call(*agent, proto::Command::kReset, {{"throttle", f.rate}},
                                       std::chrono::milliseconds(2000));
      if (!r.ok) throw std::runtime_error(agent->describe() + ": " + r.error);
    } else if (f.action == "crash") {
      // Only the agent that hosts the member accepts; the others answer an
      // error (docs/contracts.md, `crash`).
      if (!ctx_.fleet) throw std::runtime_error("the step has no subscriber agents");
      std::string why = "no subscriber agent hosts client " + std::to_string(f.client);
      bool done = false;
      for (FleetAgent* agent : ctx_.subscribers) {
        if (!agent) continue;
        // A crash destroys and remakes the member's consumer, which after a
        // broker outage can take librdkafka seconds: 5 s, not the 2 s of a
        // plain call (a transactional step on the mock needed more than 2).
        const Reply r = ctx_.fleet->call(*agent, proto::Command::kCrash, {{"client", f.client}},
                                         std::chrono::milliseconds(5000));
        if (r.ok) {
          a.detail["agent"] = agent->describe();
          done = true;
          break;
        }
        // An agent that did not answer in time may host it: say so, not
        // that nobody does.
        if (!r.answered)
          why = agent->describe() + ": " + r.error;
        else if (r.error.find("no client") == std::string::npos)
          why = r.error;
      }
      if (!done) throw std::runtime_error(why);
    } else if (f.action == "command") {
      commands_.emplace_back([this, i] {
        CommandOutcome out = run_command(faults_[i].run, faults_[i].timeout_s);
        std::lock_guard lk(mu_);
        applied_[i].command = std::move(out);
      });
    }
  } catch (const std::exception& e) {
    a.error = e.what();
  }
}

void FaultTimeline::end(size_t i) {
  const FaultSpec& f = faults_[i];
  Applied& a = applied_[i];
  a.ended_s = since_window_s();
  if (!a.error.empty()) return;  // it never took effect
  try {
    if (f.action == "broker_down") {
      FaultBroker(*broker_).set_up(f.broker ? f.broker : 1, true);
    } else if (f.action == "broker_rtt") {
      FaultBroker(*broker_).set_delay(f.broker, std::chrono::milliseconds(0));
    } else if (f.action == "pause") {
      FleetAgent* agent = agent_of(f);
      const std::string e = ctx_.fleet->signal(*agent, SIGCONT);
      if (ctx_.on_agent) ctx_.on_agent(*agent, AgentEvent::kResumed);
      if (!e.empty()) throw std::runtime_error(e);
    } else if (f.action == "slow") {
      FleetAgent* agent = agent_of(f);
      const Reply r = ctx_.fleet->call(*agent, proto::Command::kReset, {{"throttle", 0}},
                                       std::chrono::milliseconds(2000));
      if (!r.ok) throw std::runtime_error(agent->describe() + ": " + r.error);
    }
  } catch (const std::exception& e) {
    a.error = std::string("ending it: ") + e.what();
  }
}

void FaultTimeline::join_commands() {
  for (auto& t : commands_)
    if (t.joinable()) t.join();
  commands_.clear();
}

nlohmann::json FaultTimeline::record() const {
  std::lock_guard lk(mu_);
  auto out = nlohmann::json::array();
  for (size_t i = 0; i < faults_.size(); ++i) {
    const FaultSpec& f = faults_[i];
    const Applied& a = applied_[i];
    nlohmann::json j;
    j["index"] = f.index;
    j["action"] = f.action;
    j["description"] = f.describe();
    j["at_s"] = f.at_s;
    j["started_s"] = a.started_s ? nlohmann::json(*a.started_s) : nlohmann::json();
    j["ended_s"] = a.ended_s ? nlohmann::json(*a.ended_s) : nlohmann::json();
    // The span that counts as "in the fault" for the figures: what it lasted,
    // or for_s from its start for one that happens at once.
    if (a.started_s && a.error.empty()) {
      const double until = a.ended_s ? *a.ended_s : *a.started_s + f.for_s;
      j["window"] = {*a.started_s, until};
    } else {
      j["window"] = nullptr;
    }
    j["detail"] = a.detail.is_null() ? nlohmann::json::object() : a.detail;
    j["error"] = a.started_s ? a.error : "not applied: the window closed first";
    if (f.action == "command") {
      if (a.command) {
        j["command"] = a.command->to_json();
        if (j["error"] == "" && !a.command->ok())
          j["error"] = a.command->error.empty()
                           ? (a.command->timed_out
                                  ? "command timed out"
                                  : "command exited " + std::to_string(a.command->exit_status))
                           : a.command->error;
      } else {
        j["command"] = nullptr;
      }
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace hydra
