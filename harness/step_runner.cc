#include "harness/step_runner.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/process_usage.h"
#include "common/protocol.h"
#include "harness/interrupt.h"
#include "harness/wire_config.h"

namespace hydra {
namespace {

using SteadyClock = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;
using proto::Command;

double since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// One subscriber agent's share of the step's clients.
struct SubSlot {
  AgentHandle* agent = nullptr;
  int first_client = 0;
  int clients = 0;
  bool dead = false;    // stopped answering: its clients are failing
  bool warm = false;    // already running this step's configuration
  nlohmann::json last;  // its last stats reply
};

// Counters summed over the light stats of all subscriber agents.
struct LiveCounts {
  uint64_t unique = 0, lost = 0;
  uint64_t received = 0;  // everything polled, warm-up backlog included
};

}  // namespace

StepRunner::StepRunner(AgentPool& pool, Reporter& reporter, SteadyClock::time_point run_start,
                       std::function<double(double)> eta)
    : pool_(pool), reporter_(reporter), run_start_(run_start), eta_(std::move(eta)) {}

StepResult StepRunner::run(const StepPlan& plan) {
  const Scenario& sc = plan.step->scenario;
  StepResult r;
  r.step = plan.step->index;
  r.repeat = plan.repeat;
  r.swept = plan.step->swept;
  r.client_count = sc.subscribers.clients;
  r.msg_rate = sc.publisher.rate;
  r.duration_s = sc.duration_s;
  timings_ = {};
  const ms timeout(int64_t(sc.control_timeout_s * 1000));
  std::vector<std::string> problems;
  auto fail = [&](const std::string& why) {
    if (r.status != "skipped") r.status = "failed";
    problems.push_back(why);
  };

  // --- agents -------------------------------------------------------------
  auto t = SteadyClock::now();
  const int cpa = sc.subscribers.clients_per_agent;
  const int n_agents = sc.subscribers.agents();
  try {
    pool_.ensure(n_agents, ms(15000));
  } catch (const std::exception& e) {
    r.status = "failed";
    r.error = std::string("starting agents: ") + e.what();
    for (int c = 0; c < r.client_count; ++c) r.unanswered_clients.push_back(c);
    return r;
  }
  timings_.spawn_s = since(t);
  AgentHandle& pub = pool_.publisher();
  std::vector<SubSlot> subs;
  {
    auto agents = pool_.subscribers();
    for (int i = 0; i < n_agents; ++i) {
      SubSlot s;
      s.agent = agents[size_t(i)];
      s.first_client = i * cpa;
      s.clients = std::min(cpa, r.client_count - s.first_client);
      subs.push_back(s);
    }
  }
  std::mutex mu;  // guards problems/r.status from the parallel lambdas
  auto sub_failed = [&](SubSlot& s, const std::string& why) {
    std::lock_guard lock(mu);
    if (!s.dead) {
      s.dead = true;
      fail(s.agent->describe() + ": " + why);
    }
  };
  // Sends one command to every live subscriber agent at once.
  // (Only those `which` selects, when given.) Replies come back by slot; a
  // slot not asked gets a default Reply.
  auto call_subs = [&](Command cmd, const std::function<nlohmann::json(const SubSlot&)>& body,
                       ms to, const std::function<bool(const SubSlot&)>& which = nullptr) {
    std::vector<AgentHandle*> live;
    std::vector<bool> asked(subs.size(), false);
    for (size_t i = 0; i < subs.size(); ++i)
      if (!subs[i].dead && (!which || which(subs[i])))
        live.push_back(subs[i].agent), asked[i] = true;
    std::vector<Reply> replies(subs.size());
    AgentPool::parallel(live, [&](AgentHandle& a) {
      for (size_t i = 0; i < subs.size(); ++i)
        if (subs[i].agent == &a) replies[i] = a.client->call(cmd, body(subs[i]), to);
    });
    for (size_t i = 0; i < subs.size(); ++i) {
      if (!asked[i] || subs[i].dead) continue;
      if (!replies[i].answered) sub_failed(subs[i], replies[i].error);
    }
    return replies;
  };
  auto empty_body = [](const SubSlot&) { return nlohmann::json::object(); };
  bool pub_started = false, subs_started = false;

  // Stops everything still running and turns the collected state into the
  // result; every exit path of the step goes through here.
  auto finish = [&]() -> StepResult {
    if (pub_started) pub.client->call(Command::kStop, timeout);
    // Subscribers of a good step keep running: the next step with the same
    // subscriber shape reuses them warm and skips the group joins. After a
    // failure or an interrupt they are stopped, to start clean.
    if (subs_started && (r.status != "ok" || interrupted())) {
      call_subs(Command::kStop, empty_body, timeout);
      for (auto& s : subs) running_.erase(s.agent->proc.pid);
    }
    for (auto& s : subs) {
      if (s.dead) {
        pool_.discard(*s.agent);
        for (int c = 0; c < s.clients; ++c) r.unanswered_clients.push_back(s.first_client + c);
      }
    }
    std::sort(r.unanswered_clients.begin(), r.unanswered_clients.end());
    for (size_t i = 0; i < problems.size(); ++i) r.error += (i ? "; " : "") + problems[i];
    return r;
  };

  // Anything unexpected from here on (a malformed reply, say) still ends
  // through finish(), so nothing is left running into the next step.
  try {
    // --- configure ----------------------------------------------------------
    t = SteadyClock::now();
    const WireTarget target{plan.bootstrap, plan.topic, plan.producer_id, plan.group_prefix};
    const proto::PublisherConfig pc = publisher_wire_config(sc, target);
    Reply pr = pub.client->call(Command::kConfigure, {{"config", pc.to_json()}}, timeout);
    if (!pr.ok) {
      fail("publisher agent: " + pr.error);
      if (!pr.answered) pool_.discard(pub);
      for (auto& s : subs)
        for (int c = 0; c < s.clients; ++c) r.unanswered_clients.push_back(s.first_client + c);
      return finish();
    }
    auto sub_config = [&](const SubSlot& s) {
      return subscriber_wire_config(sc, target, s.first_client, s.clients).to_json();
    };
    // What makes two subscriber configurations interchangeable: all but the
    // group names, which only have to be unique.
    auto shape = [&](const SubSlot& s) {
      auto j = sub_config(s);
      j.erase("group_prefix");
      return j.dump();
    };
    for (auto& s : subs) {
      auto it = running_.find(s.agent->proc.pid);
      s.warm = it != running_.end() && it->second.shape == shape(s);
      if (s.warm) {
        r.processing_device = it->second.device;
        r.note = it->second.note;
      }
    }
    // Warm clients may still hold a backlog from the last step (they ended it
    // behind): they start this one from the end of the log, like fresh ones.
    // An agent that cannot (a seek timed out on a loaded broker) is restarted.
    {
      auto seeks = call_subs(
          Command::kReset,
          [](const SubSlot&) {
            return nlohmann::json{{"seek", "end"}};
          },
          timeout + ms(15000), [](const SubSlot& s) { return s.warm; });
      for (size_t i = 0; i < subs.size(); ++i)
        if (subs[i].warm && !subs[i].dead && !seeks[i].ok) subs[i].warm = false;
    }
    auto cold = [](const SubSlot& s) { return !s.warm; };
    // Agents still running another shape stop before they are reconfigured.
    call_subs(Command::kStop, empty_body, timeout,
              [&](const SubSlot& s) { return !s.warm && running_.count(s.agent->proc.pid); });
    for (auto& s : subs)
      if (!s.warm) running_.erase(s.agent->proc.pid);
    auto replies = call_subs(
        Command::kConfigure,
        [&](const SubSlot& s) {
          return nlohmann::json{{"config", sub_config(s)}};
        },
        timeout, cold);
    for (size_t i = 0; i < subs.size(); ++i) {
      if (subs[i].dead || subs[i].warm) continue;
      if (replies[i].ok) {
        r.processing_device = replies[i].body.value("device", r.processing_device);
        const std::string note = replies[i].body.value("note", "");
        if (!note.empty() && r.note.find(note) == std::string::npos)
          r.note += (r.note.empty() ? "" : "; ") + note;
        continue;
      }
      const std::string err = replies[i].body.value("error", replies[i].error);
      if (err.rfind("skipped: ", 0) == 0) {
        r.status = "skipped";
        problems.push_back(err.substr(9));
        return finish();  // nothing started; the configuration cannot run here
      }
      fail(subs[i].agent->describe() + ": " + replies[i].error);
      return finish();
    }
    timings_.configure_s = since(t);

    // --- start subscribers, readiness barrier --------------------------------
    t = SteadyClock::now();
    subs_started = true;
    replies = call_subs(Command::kStart, empty_body, timeout, cold);
    for (size_t i = 0; i < subs.size(); ++i) {
      if (subs[i].dead || subs[i].warm) continue;
      if (!replies[i].ok) {
        fail(subs[i].agent->describe() + ": " + replies[i].error);
        return finish();
      }
      running_[subs[i].agent->proc.pid] = Running{shape(subs[i]), r.processing_device, r.note};
    }
    // Every client must own its partitions and know its position before the
    // first message is sent, or the step would start with loss it did not cause.
    const double barrier_limit = 30 + 0.05 * r.client_count;
    int ready_clients = 0;
    while (true) {
      replies = call_subs(Command::kStatus, empty_body, timeout);
      ready_clients = 0;
      std::vector<int> covered(size_t(sc.topic.partitions), 0);
      bool errors = false;
      for (size_t i = 0; i < subs.size(); ++i) {
        if (subs[i].dead || !replies[i].ok) continue;
        for (const auto& c : replies[i].body.value("client_status", nlohmann::json::array())) {
          const auto assigned = c.value("assigned", std::vector<int>{});
          for (int p : assigned)
            if (p >= 0 && p < sc.topic.partitions) covered[size_t(p)]++;
          const bool full =
              sc.subscribers.groups != "per-client" || int(assigned.size()) == sc.topic.partitions;
          if (c.value("ready", false) && full) ++ready_clients;
          if (!c.value("error", std::string()).empty()) {
            errors = true;
            fail("client " + std::to_string(c.value("id", -1)) + ": " + c.value("error", ""));
          }
        }
      }
      const bool all_covered =
          std::all_of(covered.begin(), covered.end(), [](int n) { return n > 0; });
      int live_clients = 0;
      for (auto& s : subs)
        if (!s.dead) live_clients += s.clients;
      if (errors) return finish();
      if (ready_clients == live_clients && all_covered) break;
      if (interrupted()) {
        fail("interrupted during the readiness barrier");
        return finish();
      }
      if (since(t) > barrier_limit) {
        fail("readiness barrier: " + std::to_string(ready_clients) + " of " +
             std::to_string(live_clients) + " clients ready after " +
             std::to_string(int(barrier_limit)) + " s");
        return finish();
      }
      std::this_thread::sleep_for(ms(100));
    }
    timings_.barrier_s = since(t);

    // --- start publisher, warm up, reset, measure ------------------------------
    pr = pub.client->call(Command::kStart, timeout);
    if (!pr.ok) {
      fail("publisher agent: " + pr.error);
      if (!pr.answered) pool_.discard(pub);
      return finish();
    }
    pub_started = true;

    const nlohmann::json light = {{"histograms", false}};
    uint64_t last_sent = 0;
    LiveCounts last_live;
    auto last_sample = SteadyClock::now();
    // Reports live progress; returns false when the step must end (interrupt
    // or the publisher stopped answering).
    auto sample = [&](const std::string& phase, double fraction, const nlohmann::json& window) {
      Reply ps = pub.client->call(Command::kStats, light, timeout);
      if (!ps.answered) {
        fail("publisher agent: " + ps.error);
        pool_.discard(pub);
        pub_started = false;
        return false;
      }
      nlohmann::json body = light;
      if (!window.is_null()) body["window"] = window;
      auto sr = call_subs(
          Command::kStats, [&](const SubSlot&) { return body; }, timeout);
      LiveCounts live;
      for (size_t i = 0; i < subs.size(); ++i) {
        if (subs[i].dead || !sr[i].ok) continue;
        for (const auto& c : sr[i].body.value("clients", nlohmann::json::array())) {
          live.unique += c.value("unique", uint64_t(0));
          live.lost += c.value("lost", uint64_t(0));
          live.received += c.value("received", uint64_t(0));
        }
      }
      const uint64_t sent =
          ps.ok ? ps.body.value("publisher", nlohmann::json::object()).value("sent", uint64_t(0))
                : 0;
      const double dt = std::max(1e-3, since(last_sample));
      Progress p;
      p.step = r.step;
      p.repeat = r.repeat;
      p.index = plan.index;
      p.total = plan.total;
      p.elapsed_s = since(run_start_);
      p.eta_s = eta_ ? eta_(fraction) : -1;
      p.tx_rate = sent >= last_sent ? double(sent - last_sent) / dt : 0;
      p.rx_rate = live.unique >= last_live.unique
                      ? double(live.unique - last_live.unique) / dt / std::max(1, r.client_count)
                      : 0;
      p.loss_pct =
          live.unique + live.lost ? 100.0 * double(live.lost) / double(live.unique + live.lost) : 0;
      p.phase = phase;
      // After a long call (the publisher's stop flushes for up to 10 s) the
    // deltas span that whole gap: a rate from them would be a false spike.
    if (dt <= 2.5) reporter_.on_progress(p);
      last_sent = sent;
      last_live = live;
      last_sample = SteadyClock::now();
      return !interrupted();
    };
    // Waits `seconds`, sampling progress about once a second.
    const double step_total = sc.warmup_s + sc.duration_s;
    auto wait_phase = [&](const std::string& phase, double seconds, double offset) {
      const auto start = SteadyClock::now();
      while (true) {
        const double left = seconds - since(start);
        if (left <= 0) return true;
        std::this_thread::sleep_for(std::chrono::duration<double>(std::min(1.0, left)));
        if (interrupted()) return false;
        if (!sample(phase, step_total > 0 ? (offset + since(start)) / step_total : 1,
                    nlohmann::json()))
          return false;
      }
    };

    if (!wait_phase("warmup", sc.warmup_s, 0)) {
      if (interrupted()) fail("interrupted during warm-up");
      return finish();
    }
    pr = pub.client->call(Command::kReset, timeout);
    if (!pr.ok) {
      fail("publisher agent: reset: " + pr.error);
      return finish();
    }
    const nlohmann::json from_window = nlohmann::json::array({pr.body["window"]});
    const ProcessUsage ctl_at_reset = read_process_usage();
    const int64_t ctl_reset_ns = mono_ns();
    auto reset_replies = call_subs(
        Command::kReset,
        [&](const SubSlot&) {
          return nlohmann::json{{"window", from_window}};
        },
        timeout);
    for (size_t i = 0; i < subs.size(); ++i)
      if (!subs[i].dead && reset_replies[i].answered && !reset_replies[i].ok) {
        // Its clients would mix warm-up into the window's figures.
        fail(subs[i].agent->describe() + ": " + reset_replies[i].error);
        return finish();
      }
    last_sent = 0;
    last_live = {};
    last_sample = SteadyClock::now();
    if (!wait_phase("measure", sc.duration_s, sc.warmup_s)) {
      if (interrupted()) fail("interrupted while measuring");
      return finish();
    }

    // --- stop publisher, drain -----------------------------------------------
    pr = pub.client->call(Command::kStop, timeout + ms(15000));  // stop flushes (bounded)
    pub_started = false;
    if (!pr.ok) {
      fail("publisher agent: stop: " + pr.error);
      if (!pr.answered) pool_.discard(pub);
      return finish();
    }
    r.window = ProducerWindow::from_json(pr.body["window"]);
    const nlohmann::json window = nlohmann::json::array({pr.body["window"]});
    t = SteadyClock::now();
    {
      int live_clients = 0;
      for (auto& s : subs)
        if (!s.dead) live_clients += s.clients;
      const uint64_t want = r.window.size() * uint64_t(live_clients);
      uint64_t prev = ~uint64_t(0);
      auto stable_since = SteadyClock::now();
      // Until every client has the whole window, or no client received
      // anything for 1 s. Received, not window counts: a client still working
      // through the warm-up backlog makes no window progress yet is not done.
      while (since(t) < sc.drain_timeout_s && !interrupted()) {
        if (!sample("drain", 1.0, window)) break;
        if (last_live.unique >= want) break;
        if (last_live.received != prev) {
          prev = last_live.received;
          stable_since = SteadyClock::now();
        } else if (since(stable_since) >= 1.0) {
          break;
        }
        std::this_thread::sleep_for(ms(200));
      }
    }
    timings_.drain_s = since(t);
    if (interrupted()) {
      fail("interrupted while draining");
      return finish();
    }

    // --- collect ----------------------------------------------------------------
    t = SteadyClock::now();
    r.controller_usage = read_process_usage();
    r.controller_usage.cpu_ns -= std::min(r.controller_usage.cpu_ns, ctl_at_reset.cpu_ns);
    r.controller_usage.span_ns = uint64_t(mono_ns() - ctl_reset_ns);
    Reply ps = pub.client->call(Command::kStats, timeout);
    if (ps.ok) {
      try {
        r.publisher = PublisherStats::from_json(ps.body.at("publisher"));
        r.publisher_usage = ProcessUsage::from_json(ps.body.at("usage"));
        r.publisher_ok = true;
        r.measured_s = double(r.publisher.until_ns - r.publisher.since_ns) / 1e9;
        // A publisher that stopped on a send error measured less than the step
        // asked for. (Messages still unacknowledged after its flush are not a
        // failure: they are overload, and ack latency and acked show it.)
        if (ps.body.value("state", "") == "failed")
          fail("publisher agent: " + ps.body.value("error", std::string("send failed")));
      } catch (const std::exception& e) {
        fail(std::string("publisher agent: malformed stats: ") + e.what());
      }
    } else {
      fail("publisher agent: stats: " + ps.error);
    }
    auto sr = call_subs(
        Command::kStats,
        [&](const SubSlot&) {
          return nlohmann::json{{"window", window}};
        },
        timeout);
    for (size_t i = 0; i < subs.size(); ++i) {
      if (subs[i].dead) continue;
      if (!sr[i].ok) {
        sub_failed(subs[i], "stats: " + sr[i].error);
        continue;
      }
      try {
        for (const auto& c : sr[i].body.at("clients"))
          r.clients.push_back(ClientStats::from_json(c));
        for (const auto& id : sr[i].body.value("unanswered_clients", nlohmann::json::array()))
          r.unanswered_clients.push_back(id.get<int>());
        r.subscriber_usage.push_back(ProcessUsage::from_json(sr[i].body.at("usage")));
      } catch (const std::exception& e) {
        sub_failed(subs[i], std::string("malformed stats: ") + e.what());
      }
    }
    std::sort(r.clients.begin(), r.clients.end(),
              [](const ClientStats& a, const ClientStats& b) { return a.client_id < b.client_id; });
    timings_.collect_s = since(t);
    return finish();
  } catch (const std::exception& e) {
    fail(std::string("controller: ") + e.what());
    return finish();
  }
}

}  // namespace hydra
