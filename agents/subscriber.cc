#include "agents/subscriber.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "agents/group_pauses.h"
#include "agents/processing/processor.h"
#include "common/clock.h"
#include "common/process_usage.h"
#include "common/slow_clients.h"

namespace hydra {

using proto::AgentState;
using proto::ProtocolError;

namespace {

// Parses the processing block of a subscriber configuration.
ProcessingConfig processing_config(const nlohmann::json& j) {
  if (j.is_null()) return ProcessingConfig{};
  try {
    return ProcessingConfig::from_json(j);
  } catch (const std::exception& e) {
    throw ProtocolError(std::string("config.processing: ") + e.what());
  }
}

constexpr auto kLoopTimeout = std::chrono::milliseconds(5000);

}  // namespace

Subscriber::Subscriber(DriverRegistry drivers, int loops)
    : drivers_(std::move(drivers)), loops_wanted_(loops) {}

int Subscriber::default_loops(int clients) {
  // One thread per 50 clients, 1..4: two at the default 100 clients per
  // agent. A wake-up is mostly a context switch, and fewer threads (and
  // fewer processes) switch less: on bench/fanout at 300 clients, 100 per
  // agent on 4 loops cost 1.65-1.80x the raw program's idle CPU, on 2 loops
  // 0.94-1.36x, on 1 loop 0.84-1.28x; 2 keep a second core busy when one
  // agent's clients read hard, and open clients two at a time at start.
  return std::clamp((clients + 49) / 50, 1, 4);
}

Subscriber::~Subscriber() {
  stop_clients();
}

AgentState Subscriber::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

nlohmann::json Subscriber::configure(const nlohmann::json& config) {
  auto parsed = proto::SubscriberConfig::from_json(config);
  if (!drivers_.has(parsed.driver))
    throw ProtocolError("config.driver: " + drivers_.unknown_message(parsed.driver));
  const ProcessingConfig pc = processing_config(parsed.processing);
  // Fail here, not on start, when the processing stage cannot run at all.
  std::string note, device;
  try {
    if (pc.kind != "none") device = make_processor(pc, &note)->device_name();
  } catch (const ProcessingUnavailable& e) {
    // The controller turns this prefix into a step with status "skipped".
    throw ProtocolError(std::string("skipped: ") + e.what());
  }
  std::lock_guard lock(mu_);
  if (state_ == AgentState::kRunning)
    throw ProtocolError("configure: the subscriber is running; stop it first");
  config_ = std::move(parsed);
  processing_note_ = note;
  state_ = AgentState::kConfigured;
  nlohmann::json reply = nlohmann::json::object();
  if (!note.empty()) reply["note"] = note;
  if (!device.empty()) reply["device"] = device;
  return reply;
}

nlohmann::json Subscriber::start() {
  std::lock_guard lock(mu_);
  if (state_ == AgentState::kRunning) return {{"already", true}};
  if (state_ == AgentState::kIdle)
    throw ProtocolError("start: not configured (send configure first)");
  loops_.clear();
  clients_.clear();
  hosted_.clear();
  groups_.clear();
  const proto::SubscriberConfig cfg = config_;
  const ProcessingConfig pc = processing_config(cfg.processing);
  // Shared by the clients, which make their consumers on their loops' threads.
  const std::shared_ptr<MessagingDriver> driver = drivers_.make(cfg.driver);
  for (int i = 0; i < cfg.clients; ++i) {
    const int id = cfg.first_client_id + i;
    ProcessorFactory pf;
    if (pc.kind != "none") pf = [pc] { return make_processor(pc, nullptr); };
    // With processing, the loop ticks at half the linger time so partial
    // batches leave on time.
    const int tick_ms = pc.kind == "none" ? 50 : std::clamp(int(pc.linger_ms / 2), 1, 50);
    clients_.push_back(std::make_unique<SubscriberClient>(
        id, [driver, cfg](int cid) { return driver->make_consumer(cfg, cid); }, pf, tick_ms));
    clients_.back()->set_decode(cfg.decode);
    if (is_slow_client(id, cfg.slow_fraction)) clients_.back()->set_slow(cfg.slow_rate);
  }
  // Client i on loop i % loops: a loop's clients are spread over the ids. A
  // shared group's members all go to one loop (group k on loop k % loops):
  // they share a tracker, which one thread then owns.
  const size_t loops = size_t(std::clamp(
      loops_wanted_ > 0 ? loops_wanted_ : default_loops(cfg.clients), 1, std::max(1, cfg.clients)));
  hosted_.assign(loops, {});
  const bool shared = cfg.groups == "shared";
  for (size_t i = 0; i < clients_.size(); ++i) {
    size_t loop = i % loops;
    if (shared) {
      const int g = clients_[i]->id() / cfg.group_members;
      if (groups_.empty() || groups_.back().index != g) {
        groups_.push_back({g, groups_.size() % loops, {}});
        clients_[i]->join_group(std::make_shared<SequenceTracker>(), /*reports_group_loss=*/true);
      }
      HostedGroup& hg = groups_.back();
      if (!hg.members.empty())
        clients_[i]->join_group(clients_[hg.members.front()]->shared_tracker(),
                                /*reports_group_loss=*/false);
      hg.members.push_back(i);
      loop = hg.loop;
    }
    hosted_[loop].push_back(i);
  }
  for (auto& h : hosted_) {
    std::vector<SubscriberClient*> hosted;
    for (size_t i : h) hosted.push_back(clients_[i].get());
    loops_.push_back(std::make_unique<ClientLoop>(std::move(hosted)));
  }
  for (auto& l : loops_) l->start();
  cpu_at_reset_ = read_process_usage().cpu_ns;
  reset_mono_ns_ = mono_ns();
  reset_wall_ns_ = wall_ns();
  state_ = AgentState::kRunning;
  return {};
}

void Subscriber::stop_clients() {
  // Signal all first, then join: the loops close their consumers in parallel.
  for (auto& l : loops_) l->request_stop();
  for (auto& l : loops_) l->join();
}

int Subscriber::on_loops(const std::function<void(SubscriberClient&)>& fn,
                         std::chrono::milliseconds timeout) {
  // One loop after another: each call wakes its loop at once, so the wait is
  // the loop's current turn (bounded), not a poll timeout.
  int late = 0;
  for (auto& l : loops_)
    if (!l->call(
            [&] {
              for (SubscriberClient* c : l->clients()) fn(*c);
            },
            timeout))
      ++late;
  return late;
}

nlohmann::json Subscriber::stop() {
  std::lock_guard lock(mu_);
  stop_clients();
  if (state_ == AgentState::kRunning) state_ = AgentState::kStopped;
  return {};
}

nlohmann::json Subscriber::status() {
  std::lock_guard lock(mu_);
  int ready = 0;
  auto clients = nlohmann::json::array();
  std::string first_error;
  for (const auto& c : clients_) {
    const bool r = c->ready();
    ready += r;
    const std::string err = c->error();
    if (first_error.empty() && !err.empty())
      first_error = "client " + std::to_string(c->id()) + ": " + err;
    nlohmann::json st = {
        {"id", c->id()}, {"ready", r}, {"assigned", c->assigned()}, {"error", err}};
    if (config_.groups == "shared") st["group"] = c->id() / config_.group_members;
    clients.push_back(std::move(st));
  }
  const int total = state_ == AgentState::kRunning ? int(clients_.size()) : 0;
  return {{"state", proto::state_name(state_)},
          {"ready", total > 0 && ready == total},
          {"clients", total},
          {"clients_ready", ready},
          {"client_status", clients},
          {"error", first_error},
          {"note", processing_note_}};
}

nlohmann::json Subscriber::reset(const nlohmann::json& request) {
  std::vector<ProducerWindow> windows;
  if (request.contains("window")) windows = proto::windows_from_json(request["window"]);
  std::lock_guard lock(mu_);
  if (state_ == AgentState::kIdle) throw ProtocolError("reset: not configured");
  if (request.contains("throttle")) {
    // A fault timeline's `slow`: every client of this agent reads at most
    // this many messages per second (0 lifts it). Nothing else is reset.
    const auto& t = request["throttle"];
    if (!t.is_number() || t.get<double>() < 0)
      throw ProtocolError("reset: throttle must be a number of msg/s >= 0");
    const double rate = t.get<double>();
    const int late = on_loops([&](SubscriberClient& c) { c.set_throttle(rate); }, kLoopTimeout);
    if (late > 0) throw std::runtime_error("reset: throttle: a client loop did not answer");
    return {};
  }
  if (request.value("seek", "") == "end") {
    // A new step on running clients: start from the end of the log.
    int failed = 0;
    failed += on_loops([&](SubscriberClient& c) { failed += !c.seek_to_end(); },
                       std::chrono::milliseconds(15000));
    if (failed > 0)
      throw std::runtime_error("reset: " + std::to_string(failed) +
                               " client(s) could not seek to the end of the log");
    return {};
  }
  SeriesSpan series;
  if (request.contains("series")) {
    try {
      series = SeriesSpan::from_json(request["series"]);
    } catch (const std::exception& e) {
      throw ProtocolError(std::string("reset: series: ") + e.what());
    }
  }
  const int late = on_loops([&](SubscriberClient& c) { c.reset(windows, series); }, kLoopTimeout);
  cpu_at_reset_ = read_process_usage().cpu_ns;
  reset_mono_ns_ = mono_ns();
  reset_wall_ns_ = wall_ns();
  if (late > 0)
    throw std::runtime_error("reset: " + std::to_string(late) +
                             " client loop thread(s) did not answer within 5 s (their clients were "
                             "not reset)");
  return {};
}

nlohmann::json Subscriber::stats(const nlohmann::json& request) {
  std::vector<ProducerWindow> windows;
  if (request.contains("window")) windows = proto::windows_from_json(request["window"]);
  std::lock_guard lock(mu_);
  auto clients = nlohmann::json::array();
  auto late = nlohmann::json::array();
  auto groups = nlohmann::json::array();
  if (!request.value("histograms", true)) {
    // Live progress: the counters each loop publishes after every batch. No
    // loop is woken, no histogram copied.
    for (const auto& c : clients_) {
      const LiveClientCounts n = c->live();
      clients.push_back({{"client_id", c->id()},
                         {"received", n.received},
                         {"unique", n.unique},
                         {"lost", n.lost}});
    }
    // Asked for once, right after the publisher's stop: each client's lag
    // per partition, read on its loop's thread (the positions are the loop's).
    if (request.value("lag", false)) {
      std::vector<std::map<int32_t, int64_t>> lags(clients_.size());
      for (size_t l = 0; l < loops_.size(); ++l)
        loops_[l]->call(
            [&] {
              for (size_t i : hosted_[l]) lags[i] = clients_[i]->partition_lag();
            },
            kLoopTimeout);
      for (size_t i = 0; i < clients_.size(); ++i) {
        if (lags[i].empty()) continue;
        auto& out = clients[i]["lag"] = nlohmann::json::object();
        for (const auto& [partition, n] : lags[i]) out[std::to_string(partition)] = n;
      }
    }
  } else {
    // Each loop snapshots its clients, and the groups it hosts, on its thread.
    std::vector<std::optional<ClientStats>> snaps(clients_.size());
    std::vector<nlohmann::json> group_entries(groups_.size());
    for (size_t l = 0; l < loops_.size(); ++l) {
      loops_[l]->call(
          [&] {
            for (size_t i : hosted_[l]) snaps[i] = clients_[i]->snapshot(windows);
            for (size_t g = 0; g < groups_.size(); ++g)
              if (groups_[g].loop == l) group_entries[g] = group_entry(groups_[g], snaps, windows);
          },
          kLoopTimeout);
    }
    for (size_t i = 0; i < snaps.size(); ++i) {
      if (snaps[i])
        clients.push_back(snaps[i]->to_json());
      else
        late.push_back(clients_[i]->id());
    }
    for (auto& g : group_entries)
      if (!g.is_null()) groups.push_back(std::move(g));
  }
  ProcessUsage usage = read_process_usage();
  usage.cpu_ns -= std::min(usage.cpu_ns, cpu_at_reset_);
  usage.span_ns = uint64_t(std::max<int64_t>(0, mono_ns() - reset_mono_ns_));
  nlohmann::json reply = {{"role", "sub"},
                          {"state", proto::state_name(state_)},
                          {"clients", clients},
                          {"unanswered_clients", late},
                          {"usage", usage.to_json()}};
  if (config_.groups == "shared" && request.value("histograms", true)) reply["groups"] = groups;
  return reply;
}

nlohmann::json Subscriber::group_entry(const HostedGroup& g,
                                       const std::vector<std::optional<ClientStats>>& snaps,
                                       const std::vector<ProducerWindow>& windows) const {
  // The group's figures: its members' latency, bytes and receive span merged
  // (one latency sample per message the group counted), its loss and
  // duplicates from the tracker they share.
  ClientStats total;
  std::vector<PausedSpan> spans;
  auto members = nlohmann::json::array();
  auto assignment = nlohmann::json::object();
  int idle = 0;
  for (size_t i : g.members) {
    const SubscriberClient& c = *clients_[i];
    members.push_back(c.id());
    const auto assigned = c.assigned();
    assignment[std::to_string(c.id())] = assigned;
    idle += assigned.empty();
    if (snaps[i]) {
      total += *snaps[i];
    }
    for (const PausedSpan& p : c.paused_spans()) spans.push_back(p);
  }
  const SubscriberClient& first = *clients_[g.members.front()];
  first.group_counts(total, windows);
  total.client_id = first.id();
  const GroupPauses pauses = merge_pauses(spans, reset_wall_ns_, wall_ns());
  return {{"group", g.index},
          {"group_id", config_.group_prefix + "-g" + std::to_string(g.index)},
          {"members", members},
          {"assignment", assignment},
          {"idle_members", idle},
          {"rebalances", pauses.count},
          {"rebalance_pause_ms", double(pauses.total_ns) / 1e6},
          {"rebalance_pause_max_ms", double(pauses.max_ns) / 1e6},
          {"stats", total.to_json()}};
}

nlohmann::json Subscriber::crash(const nlohmann::json& request) {
  if (!request.contains("client") || !request["client"].is_number_integer())
    throw ProtocolError("crash: needs an integer field \"client\" (the member's client id)");
  crash_member(request["client"].get<int>());
  return nlohmann::json::object();
}

void Subscriber::crash_member(int client_id) {
  std::lock_guard lock(mu_);
  if (state_ != AgentState::kRunning) throw ProtocolError("crash_member: not running");
  if (config_.groups != "shared")
    throw ProtocolError("crash_member: only a shared group's member can be taken over");
  for (size_t l = 0; l < loops_.size(); ++l)
    for (size_t i : hosted_[l]) {
      if (clients_[i]->id() != client_id) continue;
      bool ok = false;
      if (!loops_[l]->call([&] { ok = clients_[i]->crash_and_rejoin(); }, kLoopTimeout))
        throw std::runtime_error("crash_member: the client's loop did not answer within 5 s");
      if (!ok) throw std::runtime_error("crash_member: " + clients_[i]->error());
      return;
    }
  throw ProtocolError("crash_member: no client " + std::to_string(client_id) + " here");
}

}  // namespace hydra
