// Timed actions during a step's measured window: the one place where
// something happens "at_s seconds into the window" (a later fault timeline,
// e.g. {"at_s": 3, "action": "broker_down", "for_s": 2}) plugs into the step
// runner without touching its phases. The measure phase (step_run.cc) opens
// the window, calls tick() with the time since the window opened at every
// sampling tick, sleeps no longer than next_due_s() so an action fires at its
// time rather than at the next once-a-second sample, and closes the window
// before the publisher stops. A runner has none unless one is set
// (StepRunner::set_timeline).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/agent_fleet.h"

namespace hydra {

// What an action did to one of the step's agents; the step stops asking a
// killed agent (its clients count as failing) and leaves a paused one alone
// until it is resumed, so neither stalls the timeline's own ticks.
enum class AgentEvent { kKilled, kPaused, kResumed };

// What a step offers the actions of its window.
struct TimelineContext {
  AgentFleet* fleet = nullptr;
  FleetAgent* publisher = nullptr;       // publisher agent 0 (null: none)
  std::vector<FleetAgent*> publishers;   // by publisher agent index
  std::vector<FleetAgent*> subscribers;  // by subscriber agent index
  std::string topic;
  int64_t window_from_ns = 0;  // wall ns the window opened (the publisher's reset)
  std::function<void(FleetAgent&, AgentEvent)> on_agent;
};

class ActionTimeline {
 public:
  virtual ~ActionTimeline() = default;
  // The window of a new step opened: every action is pending again.
  virtual void window_opened(const TimelineContext&) {}
  // Seconds from `window_s` until the next pending action is due; infinity
  // when none is.
  virtual double next_due_s(double window_s) const = 0;
  // Fires every pending action due by `window_s` (seconds since the window
  // opened), each once. One that is late (a slow tick) fires late, not never.
  virtual void tick(double window_s) = 0;
  // The window closed (the publisher is about to stop): what an action
  // started and has not undone yet ends here.
  virtual void window_closed() {}
  // What the actions did in the window that just closed, for the step's
  // results (StepResult::faults); null when there is nothing to say.
  virtual nlohmann::json record() const { return nullptr; }
};

// Actions at fixed times into the window, each a callable; empty, it does
// nothing.
class TimedActions final : public ActionTimeline {
 public:
  // `fire` gets the time since the window opened at which it actually ran.
  void add(double at_s, std::string name, std::function<void(double window_s)> fire) {
    actions_.push_back(Action{at_s, std::move(name), std::move(fire), false});
  }

  void window_opened(const TimelineContext&) override {
    for (auto& a : actions_) a.fired = false;
  }

  double next_due_s(double window_s) const override {
    double next = std::numeric_limits<double>::infinity();
    for (const auto& a : actions_)
      if (!a.fired && a.at_s - window_s < next) next = a.at_s - window_s;
    return next < 0 ? 0 : next;
  }

  void tick(double window_s) override {
    for (auto& a : actions_)
      if (!a.fired && a.at_s <= window_s) {
        a.fired = true;
        a.fire(window_s);
      }
  }

 private:
  struct Action {
    double at_s;
    std::string name;  // what the action is, for messages
    std::function<void(double)> fire;
    bool fired;
  };
  std::vector<Action> actions_;
};

}  // namespace hydra
