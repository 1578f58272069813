#include "harness/step_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/clock.h"
#include "harness/interrupt.h"
#include "harness/row.h"
#include "harness/scenario.h"

namespace hydra {
namespace {

using ms = std::chrono::milliseconds;
using nlohmann::json;
using proto::Command;

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

json no_body() {
  return json::object();
}

// A progress sample inside the measured window starts only with at least this
// much of the window left: its subscriber calls are bounded by the window's
// end, and a live agent needs a moment to answer.
constexpr double kMinSampleBudgetS = 0.2;
// After an interrupt, the calls that close the window and collect what it
// measured wait at most this long each, so the run is torn down promptly.
constexpr auto kInterruptedCallTimeout = ms(1500);

}  // namespace

StepRun::StepRun(StepEnv env, const StepPlan& plan)
    : env_(env),
      plan_(plan),
      scenario_(plan.step->scenario),
      target_{plan.bootstrap, plan.topic, plan.producer_id, plan.group_prefix},
      timeout_(int64_t(scenario_.control_timeout_s * 1000)),
      publishing_(scenario_value(scenario_, "publisher.enabled").get<bool>()) {
  result_.step = plan.step->index;
  result_.repeat = plan.repeat;
  result_.swept = plan.step->swept;
  result_.client_count = scenario_.subscribers.clients;
  result_.duration_s = scenario_.duration_s;
  if (publishing_) {
    const std::vector<Scenario> each = publisher_scenarios(scenario_);
    for (size_t k = 0; k < each.size(); ++k) {
      PublisherSlot p;
      p.index = int(k);
      p.scenario = each[k];
      p.producer_id = publisher_producer_id(target_.producer_id, int(k));
      publishers_.push_back(std::move(p));
    }
  }
  result_.msg_rate = publishing_ ? total_publish_rate(scenario_) : scenario_.publisher.rate;
  if (scenario_.subscribers.shared()) {
    result_.group_count = scenario_.subscribers.group_count;
    result_.group_members = scenario_.subscribers.group_members();
  }
}

StepResult StepRun::run() {
  if (!start_agents()) return finish();
  // Anything unexpected from here on (a malformed reply, say) still ends
  // through finish(), so nothing is left running into the next step.
  try {
    if (configure() && start_subscribers() && await_readiness() && start_publishers() &&
        warm_up() && reset_counters()) {
      // The window is open. It closes at its planned end whatever an agent
      // does; an interrupt closes it early, and what it measured until then
      // is still collected (the row says `interrupted`).
      const bool measured = measure();
      if ((measured || interrupted()) && any_publisher_running() && stop_publishers()) {
        if (measured && !interrupted()) drain();
        collect();
      } else if ((measured || interrupted()) && !publishing_) {
        close_consumer_only_window();
        collect();
      }
    }
  } catch (const std::exception& e) {
    fail(std::string("controller: ") + e.what());
  }
  return finish();
}

// ---------------------------------------------------------------- phases

bool StepRun::start_agents() {
  const auto t = Clock::now();
  const int agents = scenario_.subscribers.agents();
  try {
    // A consumer-only step still has publisher agent 0 standing by, as
    // before there were several: it is never configured.
    const int pubs = publishing_ ? int(publishers_.size()) : 1;
    env_.fleet.ensure(pubs, agents, ms(int64_t(env_.limits.spawn_timeout_s * 1000)));
  } catch (const std::exception& e) {
    fail(std::string("starting agents: ") + e.what());
    all_clients_unanswered();
    return false;
  }
  env_.timings.spawn_s = since(t);
  const auto fleet_publishers = env_.fleet.publishers();
  for (auto& p : publishers_) p.agent = fleet_publishers.at(size_t(p.index));
  const auto fleet_subscribers = env_.fleet.subscribers();
  const int per_agent = scenario_.subscribers.clients_per_agent;
  for (int i = 0; i < agents; ++i) {
    SubscriberSlot s;
    s.agent = fleet_subscribers[size_t(i)];
    s.first_client = i * per_agent;
    s.clients = std::min(per_agent, result_.client_count - s.first_client);
    subscribers_.push_back(s);
  }
  record_placement();
  return true;
}

void StepRun::record_placement() {
  std::set<std::string> hosts;
  for (const auto& p : publishers_) hosts.insert(env_.fleet.host_of(*p.agent));
  for (const auto& s : subscribers_) hosts.insert(env_.fleet.host_of(*s.agent));
  result_.host_count = int(hosts.size());
  if (hosts.size() == 1 && hosts.count("")) return;  // all on this host: nothing to record
  json out = json::object();
  auto entry = [&](const std::string& host) -> json& {
    json& h = out[host.empty() ? "controller" : host];
    if (h.is_null()) h = {{"agents", json::array()}, {"clients", json::array()}};
    return h;
  };
  for (const auto& p : publishers_)
    entry(env_.fleet.host_of(*p.agent))["agents"].push_back(
        {{"role", "pub"}, {"index", p.index}, {"agent", p.agent->describe()}});
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    const SubscriberSlot& s = subscribers_[i];
    json& h = entry(env_.fleet.host_of(*s.agent));
    h["agents"].push_back({{"role", "sub"},
                           {"agent", s.agent->describe()},
                           {"first_client", s.first_client},
                           {"clients", s.clients}});
    for (int c = 0; c < s.clients; ++c) h["clients"].push_back(s.first_client + c);
  }
  result_.hosts = out;
}

// Per host over the measured window: CPU (% of one core, like the other CPU
// figures, and the share of all its cores) and network bytes and Mbit/s.
// The first snapshot is at the reset; a host missing from either is left
// without figures (not measured), never given zeros.
void StepRun::collect_hosts() {
  if (result_.hosts.is_null() || !hosts_at_reset_.is_object()) return;
  const json now = env_.fleet.hosts_snapshot();
  if (!now.is_object()) return;
  const double span_s = double(mono_ns() - controller_reset_ns_) / 1e9;
  for (const auto& entry : now.items()) {
    // Named copies, not structured bindings: clang 14 (the sanitizer and
    // fuzz builds) cannot capture those in the lambda below.
    const std::string& host = entry.key();
    const json& after = entry.value();
    json& h = result_.hosts[host];
    if (h.is_null()) h = {{"agents", json::array()}, {"clients", json::array()}};
    for (const char* k : {"hostname", "alive", "clock_offset_ms", "clock_uncertainty_ms", "error"})
      if (after.contains(k)) h[k] = after[k];
    if (!hosts_at_reset_.contains(host)) continue;
    const json& before = hosts_at_reset_[host];
    auto delta = [&](const char* k) -> std::optional<double> {
      if (!before.contains(k) || !after.contains(k)) return std::nullopt;
      return after[k].get<double>() - before[k].get<double>();
    };
    const auto busy = delta("cpu_busy_ns"), total = delta("cpu_total_ns");
    const auto rx = delta("net_rx_bytes"), tx = delta("net_tx_bytes");
    const int cores = after.value("cores", 0);
    if (busy && total && *total > 0 && cores > 0) {
      h["cpu_pct"] = 100.0 * *busy / (*total / cores);
      h["cpu_share"] = *busy / *total;
    }
    if (rx && tx && span_s > 0) {
      h["net_rx_bytes"] = *rx;
      h["net_tx_bytes"] = *tx;
      h["net_rx_mbps"] = *rx * 8 / 1e6 / span_s;
      h["net_tx_mbps"] = *tx * 8 / 1e6 / span_s;
    }
  }
}

void StepRun::check_clocks() {
  if (result_.hosts.is_null()) return;
  const double share = scenario_value(scenario_, "agents.clock_share").get<double>();
  const Histogram lat = merged_latency(result_);
  if (lat.count() == 0) return;
  const double p50_ms = double(lat.percentile(50)) / 1e6;
  double worst = 0;
  std::string worst_host;
  for (const auto& [host, h] : result_.hosts.items()) {
    const double u = h.value("clock_uncertainty_ms", 0.0);
    if (u > worst) worst = u, worst_host = host;
  }
  const bool flagged = worst > share * p50_ms;
  result_.hosts_clock = {
      {"p50_ms", p50_ms}, {"max_uncertainty_ms", worst}, {"share", share}, {"flagged", flagged}};
  if (flagged) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "clock: %s's offset is uncertain by %.3f ms, more than %g of the p50 latency "
                  "(%.3f ms)",
                  worst_host.c_str(), worst, share, p50_ms);
    result_.note += (result_.note.empty() ? "" : "; ") + std::string(buf);
  }
}

bool StepRun::configure() {
  const auto t = Clock::now();
  report_phase("configuring", std::to_string(result_.client_count) + " clients on " +
                                  std::to_string(subscribers_.size()) + " subscriber agent(s)");
  if (!configure_publishers()) return false;
  find_warm_subscribers();
  if (!configure_cold_subscribers()) return false;
  env_.timings.configure_s = since(t);
  return !interrupted_in("during configure");
}

// Each publisher agent gets its own settings and producer id.
bool StepRun::configure_publishers() {
  if (!publishing_) return true;
  const auto replies = call_publishers(
      Command::kConfigure,
      [&](const PublisherSlot& p) {
        WireTarget t = target_;
        t.producer_id = p.producer_id;
        return json{{"config", publisher_wire_config(p.scenario, t).to_json()}};
      },
      timeout_);
  bool ok = true;
  for (size_t k = 0; k < publishers_.size(); ++k) {
    if (replies[k].ok) continue;
    fail(name(publishers_[k]) + ": " + replies[k].error);
    if (!replies[k].answered) discard(publishers_[k]);
    ok = false;
  }
  if (!ok) all_clients_unanswered();
  return ok;
}

// Which subscriber agents already run this step's configuration. Warm clients
// may still hold a backlog from the last step (they ended it behind): they
// start this one from the end of the log, like fresh ones. An agent that
// cannot (a seek timed out on a loaded broker) is restarted.
void StepRun::find_warm_subscribers() {
  for (auto& s : subscribers_) {
    auto it = env_.warm.find(s.agent->id());
    s.warm = it != env_.warm.end() && it->second.shape == shape(s);
    if (s.warm) {
      result_.processing_device = it->second.device;
      result_.note = it->second.note;
    }
  }
  const auto seeks = call_subscribers(
      Command::kReset,
      [](const SubscriberSlot&) {
        return json{{"seek", "end"}};
      },
      timeout_ + ms(15000), [](const SubscriberSlot& s) { return s.warm; });
  for (size_t i = 0; i < subscribers_.size(); ++i)
    if (subscribers_[i].warm && !subscribers_[i].dead && !seeks[i].ok) subscribers_[i].warm = false;
}

bool StepRun::configure_cold_subscribers() {
  // Agents still running another shape stop before they are reconfigured.
  call_subscribers(
      Command::kStop, [](const SubscriberSlot&) { return no_body(); }, timeout_,
      [&](const SubscriberSlot& s) { return !s.warm && env_.warm.count(s.agent->id()); });
  for (auto& s : subscribers_)
    if (!s.warm) env_.warm.erase(s.agent->id());
  const auto replies = call_subscribers(
      Command::kConfigure,
      [&](const SubscriberSlot& s) {
        return json{{"config", subscriber_config(s)}};
      },
      timeout_, [](const SubscriberSlot& s) { return !s.warm; });
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    const SubscriberSlot& s = subscribers_[i];
    if (s.dead || s.warm) continue;
    const Reply& reply = replies[i];
    if (reply.ok) {
      result_.processing_device = reply.body.value("device", result_.processing_device);
      const std::string note = reply.body.value("note", "");
      if (!note.empty() && result_.note.find(note) == std::string::npos)
        result_.note += (result_.note.empty() ? "" : "; ") + note;
      continue;
    }
    const std::string err = reply.body.value("error", reply.error);
    if (err.rfind("skipped: ", 0) == 0) {
      result_.status = "skipped";
      problems_.push_back(err.substr(9));
      return false;  // nothing started; the configuration cannot run here
    }
    fail(s.agent->describe() + ": " + reply.error);
    return false;
  }
  return true;
}

bool StepRun::start_subscribers() {
  barrier_start_ = Clock::now();
  subscribers_started_ = true;
  const auto replies = call_subscribers(
      Command::kStart, [](const SubscriberSlot&) { return no_body(); }, timeout_,
      [](const SubscriberSlot& s) { return !s.warm; });
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    const SubscriberSlot& s = subscribers_[i];
    if (s.dead || s.warm) continue;
    if (!replies[i].ok) {
      fail(s.agent->describe() + ": " + replies[i].error);
      return false;
    }
    env_.warm[s.agent->id()] = WarmAgent{shape(s), result_.processing_device, result_.note};
  }
  return true;
}

// Every client must own its partitions and know its position before the
// first message is sent, or the step would start with loss it did not cause.
bool StepRun::await_readiness() {
  // A producer-only step (subscribers.clients 0) has nobody to wait for.
  if (subscribers_.empty()) return !interrupted_in("during the readiness barrier");
  const double limit_s =
      env_.limits.barrier_base_s + env_.limits.barrier_per_client_s * double(result_.client_count);
  while (true) {
    const auto replies = call_subscribers(
        Command::kStatus, [](const SubscriberSlot&) { return no_body(); }, timeout_);
    const Readiness now = readiness(replies);
    if (now.errors) return false;
    report_phase("joining", std::to_string(live_clients()) + " clients joining (" +
                                std::to_string(now.ready_clients) + " ready)");
    if (now.ready_clients == live_clients() && now.all_partitions_owned) break;
    if (interrupted_in("during the readiness barrier")) return false;
    if (since(barrier_start_) > limit_s) {
      fail("readiness barrier: " + std::to_string(now.ready_clients) + " of " +
           std::to_string(live_clients()) + " clients ready after " + std::to_string(int(limit_s)) +
           " s");
      return false;
    }
    std::this_thread::sleep_for(ms(100));
  }
  env_.timings.barrier_s = since(barrier_start_);
  return !interrupted_in("during the readiness barrier");
}

// Reads the subscribers' status replies; a client reporting an error fails
// the step.
StepRun::Readiness StepRun::readiness(const std::vector<Reply>& replies) {
  const int partitions = scenario_.topic.partitions;
  // Every client reads every partition unless the clients share a group;
  // then every group must own every partition, each exactly once.
  const bool shared = scenario_.subscribers.shared();
  const size_t owner_sets = shared ? size_t(scenario_.subscribers.group_count) : 1;
  Readiness r;
  // Clients (per group, when shared) owning each partition.
  std::vector<std::vector<int>> owners(owner_sets, std::vector<int>(size_t(partitions), 0));
  std::vector<bool> group_seen(owner_sets, !shared);
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    if (subscribers_[i].dead || !replies[i].ok) continue;
    for (const auto& c : replies[i].body.value("client_status", json::array())) {
      const auto assigned = c.value("assigned", std::vector<int>{});
      const size_t set =
          shared ? size_t(std::clamp<int>(c.value("group", 0), 0, int(owner_sets) - 1)) : 0;
      group_seen[set] = true;
      for (int p : assigned)
        if (p >= 0 && p < partitions) owners[set][size_t(p)]++;
      // (partition numbers repeat once per topic with topic.count > 1)
      const bool owns_all = shared || int(assigned.size()) == partitions * scenario_.topic.count;
      if (c.value("ready", false) && owns_all) ++r.ready_clients;
      if (!c.value("error", std::string()).empty()) {
        r.errors = true;
        fail("client " + std::to_string(c.value("id", -1)) + ": " + c.value("error", ""));
      }
    }
  }
  r.all_partitions_owned = true;
  for (size_t g = 0; g < owner_sets; ++g) {
    // A group in a dead agent is not waited for (its clients are failing).
    if (!group_seen[g]) continue;
    for (int n : owners[g])
      if (shared ? n != scenario_.topic.count : n == 0) r.all_partitions_owned = false;
  }
  return r;
}

bool StepRun::start_publishers() {
  if (!publishing_) {
    last_sample_ = Clock::now();
    return !interrupted_in("while starting the publisher");
  }
  const auto replies = call_publishers(
      Command::kStart, [](const PublisherSlot&) { return no_body(); }, timeout_);
  bool ok = true;
  for (size_t k = 0; k < publishers_.size(); ++k) {
    PublisherSlot& p = publishers_[k];
    if (replies[k].ok) {
      p.running = true;
      continue;
    }
    fail(name(p) + ": " + replies[k].error);
    if (!replies[k].answered) discard(p);
    ok = false;
  }
  last_sample_ = Clock::now();
  return !interrupted_in("while starting the publisher") && ok;
}

bool StepRun::warm_up() {
  const bool waited = wait_sampling("warmup", scenario_.warmup_s, 0, nullptr);
  return !interrupted_in("during warm-up") && waited;
}

// Opens the measured window: the publisher's counters and every subscriber
// client's restart from the publisher's position now.
bool StepRun::reset_counters() {
  if (publishing_) {
    // Per-second counts cover the window and the drain after it.
    const int series_s =
        std::min(SeriesSpan::kMaxSeconds,
                 int(std::ceil(scenario_.duration_s) + std::ceil(scenario_.drain_timeout_s)) + 2);
    const auto replies = call_publishers(
        Command::kReset,
        [&](const PublisherSlot&) {
          return json{{"series_s", series_s}};
        },
        timeout_);
    window_from_ = json::array();
    for (size_t k = 0; k < publishers_.size(); ++k) {
      if (!replies[k].ok) {
        fail(name(publishers_[k]) + ": reset: " + replies[k].error);
        return false;
      }
      window_from_.push_back(replies[k].body["window"]);
    }
    // One per-second span for the subscribers: publisher 0's (the others'
    // opened within the same call, their seconds summed into its).
    series_ = replies[0].body.value("series", json());
  } else {
    // No window: the clients count from their reset on.
    window_from_ = json::array();
    series_ = json();
  }
  controller_at_reset_ = read_process_usage();
  controller_reset_ns_ = mono_ns();
  if (!result_.hosts.is_null()) hosts_at_reset_ = env_.fleet.hosts_snapshot();
  // From here every call is bounded by the window's planned end, so that the
  // publisher's stop is issued on time even when an agent hangs.
  window_end_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(scenario_.duration_s));
  const auto replies = call_subscribers(
      Command::kReset,
      [&](const SubscriberSlot&) {
        json body{{"window", window_from_}};
        if (!series_.is_null()) body["series"] = series_;
        return body;
      },
      timeout_);
  for (size_t i = 0; i < subscribers_.size(); ++i)
    if (!subscribers_[i].dead && replies[i].answered && !replies[i].ok) {
      // Its clients would mix warm-up into the window's figures.
      fail(subscribers_[i].agent->describe() + ": " + replies[i].error);
      return false;
    }
  last_sent_ = 0;
  for (auto& p : publishers_) p.last_sent = 0;
  last_live_ = {};
  live_baseline_ = true;  // the reset zeroed the counters
  last_sample_ = Clock::now();
  return !interrupted_in("during the reset");
}

// Waits until the window's planned end (the subscribers' resets already used
// part of it), not for duration_s from now.
bool StepRun::measure() {
  if (env_.timeline) {
    TimelineContext ctx;
    ctx.fleet = &env_.fleet;
    for (const auto& p : publishers_) ctx.publishers.push_back(p.agent);
    ctx.publisher = publishers_.empty() ? nullptr : publishers_[0].agent;
    for (const auto& s : subscribers_) ctx.subscribers.push_back(s.agent);
    ctx.topic = plan_.topic;
    ctx.window_from_ns = series_.is_object() ? series_.value("from_ns", int64_t(0)) : int64_t(0);
    if (!ctx.window_from_ns) ctx.window_from_ns = wall_ns();
    ctx.on_agent = [this](FleetAgent& agent, AgentEvent event) { on_fault(agent, event); };
    env_.timeline->window_opened(ctx);
  }
  const double left_s = std::max(0.0, until(*window_end_));
  const bool waited = wait_sampling("measure", left_s, scenario_.warmup_s, env_.timeline);
  if (env_.timeline) {
    env_.timeline->window_closed();
    result_.faults = env_.timeline->record();
    // A fault Hydra could not apply makes the step's figures not the ones
    // asked for. (A command's own exit status is the user's: only recorded.)
    for (const auto& f : result_.faults)
      if (f.is_object() && f.value("action", "") != "command" && !f.value("error", "").empty())
        fail("fault " + f.value("description", "") + ": " + f.value("error", ""));
  }
  // Agents that were late inside the window get the full timeout again.
  window_end_.reset();
  for (auto& s : subscribers_) s.late = false;
  return !interrupted_in("while measuring") && waited;
}

// The sum of several producers' windows, per partition (StepResult::window).
static ProducerWindow summed_window(const std::vector<ProducerWindow>& windows) {
  if (windows.size() == 1) return windows[0];
  ProducerWindow sum;
  for (const auto& w : windows) {
    for (const auto& [partition, seq] : w.from) sum.from[partition] += seq;
    for (const auto& [partition, seq] : w.until) sum.until[partition] += seq;
  }
  return sum;
}

// True when the window's end is known: the stop's reply of at least one
// publisher (the others' failures fail the step; their messages are not
// counted). An interrupt here still keeps the window: what was measured is
// collected.
bool StepRun::stop_publishers() {
  // The publisher's stop flushes what is in flight (bounded by the agent).
  const ms timeout = interrupted() ? kInterruptedCallTimeout : timeout_ + ms(15000);
  const auto replies = call_publishers(
      Command::kStop, [](const PublisherSlot&) { return no_body(); }, timeout,
      [](const PublisherSlot& p) { return p.running; });
  window_ = json::array();
  for (size_t k = 0; k < publishers_.size(); ++k) {
    PublisherSlot& p = publishers_[k];
    if (!p.running) continue;
    p.running = false;
    if (p.paused) {  // a fault's pause outlived the window: its end is unknown
      fail(name(p) + ": still paused when the window closed");
      continue;
    }
    if (!replies[k].ok) {
      fail(name(p) + ": stop: " + replies[k].error);
      if (!replies[k].answered) discard(p);
      continue;
    }
    p.window = replies[k].body["window"];
    result_.windows.push_back(ProducerWindow::from_json(p.window));
    window_.push_back(p.window);
  }
  interrupted_in("while stopping the publisher");
  if (result_.windows.empty()) return false;
  result_.window = summed_window(result_.windows);
  return true;
}

// A consumer-only step's window ends when its time is up: nobody stops a
// publisher, nothing is drained, and its length is the controller's.
void StepRun::close_consumer_only_window() {
  window_ = json::array();
  result_.measured_s = double(mono_ns() - controller_reset_ns_) / 1e9;
}

// Until every client has the whole window, or no client received anything
// for drain_quiet_s. Received, not window counts: a client still working
// through the warm-up backlog makes no window progress yet is not done.
bool StepRun::drain() {
  const auto t = Clock::now();
  // Every client wants the whole window; with shared groups, every group.
  const uint64_t copies = scenario_.subscribers.shared()
                              ? uint64_t(live_clients() / scenario_.subscribers.group_members())
                              : uint64_t(live_clients());
  const uint64_t want = result_.window.size() * copies;
  uint64_t received = ~uint64_t(0);
  auto quiet_since = Clock::now();
  while (since(t) < scenario_.drain_timeout_s && !interrupted()) {
    if (!sample("drain", 1.0, window_)) break;
    if (last_live_.unique >= want) break;
    if (last_live_.received != received) {
      received = last_live_.received;
      quiet_since = Clock::now();
    } else if (since(quiet_since) >= env_.limits.drain_quiet_s) {
      break;
    }
    std::this_thread::sleep_for(ms(200));
  }
  env_.timings.drain_s = since(t);
  return !interrupted_in("while draining");
}

bool StepRun::collect() {
  const auto t = Clock::now();
  report_phase("collecting", "", 1);
  result_.controller_usage = read_process_usage();
  result_.controller_usage.cpu_ns -=
      std::min(result_.controller_usage.cpu_ns, controller_at_reset_.cpu_ns);
  result_.controller_usage.span_ns = uint64_t(mono_ns() - controller_reset_ns_);
  collect_hosts();
  if (publishing_) collect_publishers();
  collect_subscribers();
  env_.timings.collect_s = since(t);
  return !interrupted_in("while collecting");
}

double StepRun::until(Clock::time_point t) {
  return std::chrono::duration<double>(t - Clock::now()).count();
}

ms StepRun::bounded(ms timeout) const {
  if (interrupted()) timeout = std::min(timeout, kInterruptedCallTimeout);
  if (!window_end_) return timeout;
  const auto left = std::chrono::duration_cast<ms>(*window_end_ - Clock::now());
  return std::max(ms(1), std::min(timeout, left));
}

// Each publisher that stopped with its window: its stats, summed into the
// step's (counters added, histograms merged, spans joined; CPU summed over
// the longest span, so pub_cpu is the publishers' together).
void StepRun::collect_publishers() {
  const auto replies = call_publishers(
      Command::kStats, [](const PublisherSlot&) { return no_body(); }, timeout_,
      [](const PublisherSlot& p) { return !p.window.is_null(); });
  ProcessUsage usage;
  for (size_t k = 0; k < publishers_.size(); ++k) {
    PublisherSlot& p = publishers_[k];
    if (p.window.is_null()) {
      add_publisher_figures(p, p.killed ? "killed" : "failed");
      continue;
    }
    const Reply& stats = replies[k];
    if (!stats.ok) {
      fail(name(p) + ": stats: " + stats.error);
      add_publisher_figures(p, "failed");
      continue;
    }
    try {
      p.stats = PublisherStats::from_json(stats.body.at("publisher"));
      const ProcessUsage u = ProcessUsage::from_json(stats.body.at("usage"));
      usage.cpu_ns += u.cpu_ns;
      usage.span_ns = std::max(usage.span_ns, u.span_ns);
      usage.rss_bytes += u.rss_bytes;
      usage.max_rss_bytes += u.max_rss_bytes;
      if (!result_.publisher_ok) {
        result_.publisher = *p.stats;
      } else {
        result_.publisher += *p.stats;
      }
      result_.publisher_ok = true;
      // A publisher that stopped on a send error measured less than the step
      // asked for. (Messages still unacknowledged after its flush are not a
      // failure: they are overload, and ack latency and acked show it.)
      const bool failed = stats.body.value("state", "") == "failed";
      if (failed) fail(name(p) + ": " + stats.body.value("error", std::string("send failed")));
      add_publisher_figures(p, failed ? "failed" : "ok");
    } catch (const std::exception& e) {
      fail(name(p) + ": malformed stats: " + e.what());
      add_publisher_figures(p, "failed");
    }
  }
  if (result_.publisher_ok) {
    result_.publisher_usage = usage;
    result_.measured_s = double(result_.publisher.until_ns - result_.publisher.since_ns) / 1e9;
  }
}

// One entry of the step JSON's "publishers": what this agent was asked to
// send and, when its stats came back, what it sent. A figure it did not
// measure is left out (never 0).
void StepRun::add_publisher_figures(const PublisherSlot& p, const std::string& status) {
  const ScenarioPublisher& sp = p.scenario.publisher;
  json j = {{"index", p.index},
            {"producer_id", p.producer_id},
            {"agent", p.agent ? p.agent->describe() : ""},
            {"payload", sp.payload},
            {"encoding", sp.encoding},
            {"message_size", sp.message_size},
            {"target_rate", sp.rate},
            {"status", status}};
  if (p.stats) {
    const PublisherStats& st = *p.stats;
    const double span_s = double(st.until_ns - st.since_ns) / 1e9;
    j["sent"] = st.sent;
    j["acked"] = st.acked;
    j["failed"] = st.failed;
    j["measured_s"] = span_s;
    j["rate"] = span_s > 0 ? json(double(st.sent) / span_s) : json();
    j["payload_bytes"] = st.sent ? json(double(st.bytes) / double(st.sent)) : json();
    j["encode_us"] = st.encoded ? json(double(st.encode_ns) / double(st.encoded) / 1e3) : json();
    auto pct_ms = [&](double q) {
      return st.ack_latency.count() ? json(double(st.ack_latency.percentile(q)) / 1e6) : json();
    };
    j["ack_p50_ms"] = pct_ms(50);
    j["ack_p99_ms"] = pct_ms(99);
  }
  if (result_.publishers.is_null()) result_.publishers = json::array();
  result_.publishers.push_back(std::move(j));
}

void StepRun::collect_subscribers() {
  const auto replies = call_subscribers(
      Command::kStats,
      [&](const SubscriberSlot&) {
        return json{{"window", window_}};
      },
      timeout_);
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    SubscriberSlot& s = subscribers_[i];
    if (s.dead) continue;
    if (!replies[i].ok) {
      subscriber_failed(s, "stats: " + replies[i].error);
      continue;
    }
    try {
      for (const auto& c : replies[i].body.at("clients"))
        result_.clients.push_back(ClientStats::from_json(c));
      for (const auto& id : replies[i].body.value("unanswered_clients", json::array()))
        result_.unanswered_clients.push_back(id.get<int>());
      for (const auto& g : replies[i].body.value("groups", json::array()))
        result_.groups.push_back(GroupResult::from_json(g));
      result_.subscriber_usage.push_back(ProcessUsage::from_json(replies[i].body.at("usage")));
    } catch (const std::exception& e) {
      subscriber_failed(s, std::string("malformed stats: ") + e.what());
    }
  }
  std::sort(result_.clients.begin(), result_.clients.end(),
            [](const ClientStats& a, const ClientStats& b) { return a.client_id < b.client_id; });
  std::sort(result_.groups.begin(), result_.groups.end(),
            [](const GroupResult& a, const GroupResult& b) { return a.group < b.group; });
}

// Stops everything still running and turns the collected state into the
// result; every exit of the step goes through here.
StepResult StepRun::finish() {
  if (any_publisher_running())
    call_publishers(
        Command::kStop, [](const PublisherSlot&) { return no_body(); }, timeout_,
        [](const PublisherSlot& p) { return p.running; });
  for (auto& p : publishers_) p.running = false;
  // Subscribers of a good step keep running: the next step with the same
  // subscriber shape reuses them warm and skips the group joins. After a
  // failure or an interrupt they are stopped, to start clean.
  if (subscribers_started_ && (result_.status != "ok" || interrupted())) {
    call_subscribers(
        Command::kStop, [](const SubscriberSlot&) { return no_body(); }, timeout_);
    for (auto& s : subscribers_) env_.warm.erase(s.agent->id());
  }
  for (auto& s : subscribers_) {
    if (!s.dead) continue;
    env_.fleet.discard(*s.agent);
    for (int c = 0; c < s.clients; ++c) result_.unanswered_clients.push_back(s.first_client + c);
  }
  std::sort(result_.unanswered_clients.begin(), result_.unanswered_clients.end());
  check_clocks();
  // An interrupted step says so, whatever else the interrupt made fail.
  if (interrupted() && result_.status != "skipped") result_.status = "interrupted";
  for (size_t i = 0; i < problems_.size(); ++i) result_.error += (i ? "; " : "") + problems_[i];
  return result_;
}

// ---------------------------------------------------------------- helpers

std::vector<Reply> StepRun::call_subscribers(
    Command cmd, const std::function<json(const SubscriberSlot&)>& body, ms timeout,
    const std::function<bool(const SubscriberSlot&)>& which) {
  std::vector<FleetAgent*> asked;
  std::vector<size_t> slot_of;  // asked[k] is subscribers_[slot_of[k]]
  for (size_t i = 0; i < subscribers_.size(); ++i)
    if (!subscribers_[i].dead && !subscribers_[i].late && !subscribers_[i].paused &&
        (!which || which(subscribers_[i]))) {
      asked.push_back(subscribers_[i].agent);
      slot_of.push_back(i);
    }
  std::vector<Reply> replies(subscribers_.size());
  if (asked.empty()) return replies;
  const ms bound = bounded(timeout);
  auto got = env_.fleet.call_all(
      asked, cmd, [&](size_t k) { return body(subscribers_[slot_of[k]]); }, bound);
  for (size_t k = 0; k < asked.size(); ++k) {
    SubscriberSlot& s = subscribers_[slot_of[k]];
    // A progress sample cut short by the window's end proves nothing yet: the
    // agent is left alone until the window closes, then asked with the full
    // timeout. Any other unanswered call (a reset: its window is unknown)
    // makes the agent failing.
    if (!got[k].answered && cmd == Command::kStats && bound < timeout && window_end_)
      s.late = true;
    else if (!got[k].answered)
      subscriber_failed(s, got[k].error);
    replies[slot_of[k]] = std::move(got[k]);
  }
  return replies;
}

// Not bounded by the window's end: the publishers' own calls are what closes
// it, and one that cannot answer fails the step anyway. A publisher a fault
// killed or paused is never asked (it cannot answer).
std::vector<Reply> StepRun::call_publishers(
    Command cmd, const std::function<json(const PublisherSlot&)>& body, ms timeout,
    const std::function<bool(const PublisherSlot&)>& which) {
  if (interrupted()) timeout = std::min(timeout, kInterruptedCallTimeout);
  std::vector<FleetAgent*> asked;
  std::vector<size_t> slot_of;
  for (size_t k = 0; k < publishers_.size(); ++k)
    if (!publishers_[k].killed && !publishers_[k].dead && !publishers_[k].paused &&
        (!which || which(publishers_[k]))) {
      asked.push_back(publishers_[k].agent);
      slot_of.push_back(k);
    }
  std::vector<Reply> replies(publishers_.size());
  if (asked.empty()) return replies;
  auto got = env_.fleet.call_all(
      asked, cmd, [&](size_t i) { return body(publishers_[slot_of[i]]); }, timeout);
  for (size_t i = 0; i < asked.size(); ++i) replies[slot_of[i]] = std::move(got[i]);
  return replies;
}

std::string StepRun::name(const PublisherSlot& p) const {
  return publishers_.size() == 1 ? "publisher agent" : "publisher agent " + std::to_string(p.index);
}

// An agent that stopped answering: stopped and replaced by the next step's
// ensure(), and not asked again in this one.
void StepRun::discard(PublisherSlot& p) {
  p.dead = true;
  p.running = false;
  env_.fleet.discard(*p.agent);
}

bool StepRun::any_publisher_running() const {
  for (const auto& p : publishers_)
    if (p.running) return true;
  return false;
}

bool StepRun::wait_sampling(const std::string& phase, double seconds, double offset,
                            ActionTimeline* timeline) {
  const auto start = Clock::now();
  const double step_s = scenario_.warmup_s + scenario_.duration_s;
  const double every_s = env_.limits.sample_interval_s;
  double next_sample = every_s;
  // A window shorter than two intervals is still sampled once, halfway.
  if (window_end_) next_sample = std::min(every_s, seconds / 2);
  while (true) {
    double at = since(start);
    if (at >= seconds) return true;
    double wake = std::min(next_sample, seconds);
    if (timeline) wake = std::min(wake, at + timeline->next_due_s(at));
    if (wake > at) std::this_thread::sleep_for(std::chrono::duration<double>(wake - at));
    if (interrupted()) return false;
    at = since(start);
    // An action due inside the window fires, late if the tick was; none
    // fires for a time past the window's end.
    if (timeline) timeline->tick(std::min(at, seconds));
    if (at < next_sample && at < seconds) continue;  // woken for an action only
    if (window_end_ && until(*window_end_) < kMinSampleBudgetS) {
      // Too close to the window's end for a sample: none more in this phase
      // (the drain samples right after the stop).
      next_sample = std::numeric_limits<double>::infinity();
      continue;
    }
    if (!sample(phase, step_s > 0 ? (offset + at) / step_s : 1, json())) return false;
    next_sample = since(start) + every_s;
  }
}

bool StepRun::sample(const std::string& phase, double fraction, const json& window) {
  const json light = {{"histograms", false}};
  // A publisher a fault paused or killed is not asked (it cannot answer);
  // its last count stands in the sum.
  const auto pubs = call_publishers(
      Command::kStats, [&](const PublisherSlot&) { return light; }, timeout_);
  bool lost_publisher = false;
  for (size_t k = 0; k < publishers_.size(); ++k) {
    PublisherSlot& p = publishers_[k];
    if (p.killed || p.dead || p.paused) continue;
    if (!pubs[k].answered) {
      fail(name(p) + ": " + pubs[k].error);
      discard(p);
      p.running = false;
      lost_publisher = true;
    } else if (pubs[k].ok) {
      p.last_sent = pubs[k].body.value("publisher", json::object()).value("sent", uint64_t(0));
    }
  }
  if (lost_publisher) return false;
  json body = light;
  if (!window.is_null()) body["window"] = window;
  const bool want_lag = phase == "drain" && !lag_taken_;
  if (want_lag) body["lag"] = true;
  const auto replies = call_subscribers(
      Command::kStats, [&](const SubscriberSlot&) { return body; }, timeout_);
  LiveCounts live;
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    if (subscribers_[i].dead || !replies[i].ok) continue;
    for (const auto& c : replies[i].body.value("clients", json::array())) {
      live.unique += c.value("unique", uint64_t(0));
      live.lost += c.value("lost", uint64_t(0));
      live.received += c.value("received", uint64_t(0));
    }
  }
  if (want_lag) {
    lag_taken_ = true;
    keep_partition_lag(replies);
  }
  uint64_t sent = 0;
  for (const auto& p : publishers_) sent += p.last_sent;
  report_progress(phase, fraction, sent, live);
  last_sent_ = sent;
  last_live_ = live;
  live_baseline_ = true;
  last_sample_ = Clock::now();
  return !interrupted();
}

// Per partition over the clients that read it: the largest and the mean
// lag (each client's `lag` in the stats reply), and how many clients said.
void StepRun::keep_partition_lag(const std::vector<Reply>& replies) {
  struct Sum {
    int64_t max = 0;
    int64_t total = 0;
    int clients = 0;
  };
  std::map<int, Sum> by_partition;
  for (size_t i = 0; i < replies.size(); ++i) {
    if (subscribers_[i].dead || !replies[i].ok) continue;
    for (const auto& c : replies[i].body.value("clients", json::array())) {
      if (!c.contains("lag") || !c["lag"].is_object()) continue;
      for (const auto& [partition, n] : c["lag"].items()) {
        Sum& sum = by_partition[std::stoi(partition)];
        sum.max = std::max(sum.max, n.get<int64_t>());
        sum.total += n.get<int64_t>();
        ++sum.clients;
      }
    }
  }
  json out = json::array();
  for (const auto& [partition, sum] : by_partition)
    out.push_back({{"partition", partition},
                   {"max_lag", sum.max},
                   {"mean_lag", double(sum.total) / sum.clients},
                   {"clients", sum.clients}});
  result_.partition_lag = std::move(out);
}

// Rates over the time since the last sample.
void StepRun::report_progress(const std::string& phase, double fraction, uint64_t sent,
                              const LiveCounts& live) {
  const double dt = std::max(1e-3, since(last_sample_));
  // After a long call (the publisher's stop flushes for up to 10 s) the
  // deltas span that whole gap: a rate from them would be a false spike.
  if (dt > 2.5) return;
  Progress p;
  p.step = result_.step;
  p.repeat = result_.repeat;
  p.index = plan_.index;
  p.total = plan_.total;
  p.elapsed_s = since(env_.run_start);
  p.eta_s = env_.eta ? env_.eta(fraction) : -1;
  p.tx_rate = sent >= last_sent_ ? double(sent - last_sent_) / dt : 0;
  // Per copy of the stream: per client, or per group when clients share.
  const int copies = result_.group_count > 0 ? result_.group_count : result_.client_count;
  p.rx_known = live_baseline_;
  p.rx_rate = live_baseline_ && live.unique >= last_live_.unique
                  ? double(live.unique - last_live_.unique) / dt / std::max(1, copies)
                  : 0;
  p.loss_pct =
      live.unique + live.lost ? 100.0 * double(live.lost) / double(live.unique + live.lost) : 0;
  p.phase = phase;
  env_.reporter.on_progress(p);
}

void StepRun::report_phase(const std::string& phase, const std::string& detail, double fraction) {
  Progress p;
  p.step = result_.step;
  p.repeat = result_.repeat;
  p.index = plan_.index;
  p.total = plan_.total;
  p.elapsed_s = since(env_.run_start);
  p.eta_s = env_.eta ? env_.eta(fraction) : -1;
  p.phase = phase;
  p.detail = detail;
  env_.reporter.on_progress(p);
}

// The first phase to see the interrupt names it; finish() makes the status
// `interrupted`.
bool StepRun::interrupted_in(const std::string& phase) {
  if (!interrupted()) return false;
  if (!interrupt_noted_) problems_.push_back("interrupted " + phase);
  interrupt_noted_ = true;
  return true;
}

void StepRun::fail(const std::string& why) {
  if (result_.status != "skipped") result_.status = "failed";
  problems_.push_back(why);
}

void StepRun::subscriber_failed(SubscriberSlot& slot, const std::string& why) {
  if (slot.dead) return;
  slot.dead = true;
  fail(slot.agent->describe() + ": " + why);
}

void StepRun::all_clients_unanswered() {
  for (int c = 0; c < result_.client_count; ++c) result_.unanswered_clients.push_back(c);
}

int StepRun::live_clients() const {
  int n = 0;
  for (const auto& s : subscribers_)
    if (!s.dead) n += s.clients;
  return n;
}

void StepRun::on_fault(FleetAgent& agent, AgentEvent event) {
  for (auto& p : publishers_) {
    if (p.agent != &agent) continue;
    if (event == AgentEvent::kKilled) {
      // Its window cannot be collected: the step fails, saying why; the
      // other publishers' windows are still counted.
      p.killed = true;
      p.running = false;
      fail(name(p) + " killed by the fault timeline");
      discard(p);
    } else {
      p.paused = event == AgentEvent::kPaused;
    }
    return;
  }
  for (auto& s : subscribers_) {
    if (s.agent != &agent) continue;
    if (event == AgentEvent::kKilled) {
      // Its clients count as failing (finish() lists them unanswered); the
      // fault was asked for, so the step itself is not failed for it.
      s.dead = true;
    } else {
      s.paused = event == AgentEvent::kPaused;
    }
  }
}

json StepRun::subscriber_config(const SubscriberSlot& slot) const {
  return subscriber_wire_config(scenario_, target_, slot.first_client, slot.clients).to_json();
}

// What makes two subscriber configurations interchangeable: all but the group
// names, which only have to be unique.
std::string StepRun::shape(const SubscriberSlot& slot) const {
  json j = subscriber_config(slot);
  j.erase("group_prefix");
  return j.dump();
}

}  // namespace hydra
