#include "agents/subscriber.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

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
  // One thread per 16 clients, 1..4: at the default 10 clients per agent a
  // single loop, whose wake-ups then serve several consumers at once (two
  // loops cost ~20 % more CPU per message on bench/fanout, mostly in
  // context switches); an agent hosting hundreds of clients gets 4.
  return std::clamp((clients + 15) / 16, 1, 4);
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
    if (is_slow_client(id, cfg.slow_fraction)) clients_.back()->set_throttle(cfg.slow_rate);
  }
  // Client i on loop i % loops: a loop's clients are spread over the ids.
  const size_t loops = size_t(std::clamp(
      loops_wanted_ > 0 ? loops_wanted_ : default_loops(cfg.clients), 1, std::max(1, cfg.clients)));
  std::vector<std::vector<SubscriberClient*>> hosted(loops);
  for (size_t i = 0; i < clients_.size(); ++i) hosted[i % loops].push_back(clients_[i].get());
  for (auto& h : hosted) loops_.push_back(std::make_unique<ClientLoop>(std::move(h)));
  for (auto& l : loops_) l->start();
  cpu_at_reset_ = read_process_usage().cpu_ns;
  reset_mono_ns_ = mono_ns();
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
    clients.push_back({{"id", c->id()}, {"ready", r}, {"assigned", c->assigned()}, {"error", err}});
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
  const int late = on_loops([&](SubscriberClient& c) { c.reset(windows); }, kLoopTimeout);
  cpu_at_reset_ = read_process_usage().cpu_ns;
  reset_mono_ns_ = mono_ns();
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
  } else {
    // In client order: loop l hosts clients l, l + loops, l + 2 * loops, ...
    std::vector<std::optional<ClientStats>> snaps(clients_.size());
    for (size_t l = 0; l < loops_.size(); ++l) {
      const auto& hosted = loops_[l]->clients();
      loops_[l]->call(
          [&] {
            for (size_t j = 0; j < hosted.size(); ++j)
              snaps[j * loops_.size() + l] = hosted[j]->snapshot(windows);
          },
          kLoopTimeout);
    }
    for (size_t i = 0; i < snaps.size(); ++i) {
      if (snaps[i])
        clients.push_back(snaps[i]->to_json());
      else
        late.push_back(clients_[i]->id());
    }
  }
  ProcessUsage usage = read_process_usage();
  usage.cpu_ns -= std::min(usage.cpu_ns, cpu_at_reset_);
  usage.span_ns = uint64_t(std::max<int64_t>(0, mono_ns() - reset_mono_ns_));
  return {{"role", "sub"},
          {"state", proto::state_name(state_)},
          {"clients", clients},
          {"unanswered_clients", late},
          {"usage", usage.to_json()}};
}

}  // namespace hydra
