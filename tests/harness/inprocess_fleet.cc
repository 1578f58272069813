#include "tests/harness/inprocess_fleet.h"

#include <csignal>

#include "agents/publisher.h"
#include "agents/subscriber.h"
#include "harness/interrupt.h"

namespace hydra::test {

using nlohmann::json;
using proto::Command;

// ---------------------------------------------------------------- bus

MessageBus::~MessageBus() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (pump_.joinable()) pump_.join();
}

void MessageBus::publish(int32_t partition, std::vector<uint8_t> value) {
  std::lock_guard lock(mu_);
  if (interval_.count() > 0) {
    backlog_.emplace_back(partition, std::move(value));
    return;
  }
  for (FakeConsumer* c : consumers_) c->push(value, partition);
}

void MessageBus::attach(FakeConsumer* consumer) {
  std::lock_guard lock(mu_);
  consumers_.insert(consumer);
}

void MessageBus::detach(FakeConsumer* consumer) {
  std::lock_guard lock(mu_);
  consumers_.erase(consumer);
}

void MessageBus::slow_down(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  interval_ = interval;
  if (!pump_.joinable()) pump_ = std::thread([this] { pump(); });
}

void MessageBus::pump() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, interval_, [&] { return stop_; });
    if (stop_ || backlog_.empty()) continue;
    auto [partition, value] = std::move(backlog_.front());
    backlog_.pop_front();
    for (FakeConsumer* c : consumers_) c->push(value, partition);
  }
}

namespace {

// The fake producer, with what it accepts also put on the bus.
class BusProducer final : public ProducerDriver {
 public:
  BusProducer(std::unique_ptr<ProducerDriver> fake, MessageBus& bus)
      : fake_(std::move(fake)), bus_(bus) {}
  SendStatus send(int32_t partition, std::string_view key, const void* value, size_t len) override {
    const SendStatus s = fake_->send(partition, key, value, len);
    if (s == SendStatus::kOk) {
      const auto* p = static_cast<const uint8_t*>(value);
      bus_.publish(partition, std::vector<uint8_t>(p, p + len));
    }
    return s;
  }
  void poll(int timeout_ms) override { fake_->poll(timeout_ms); }
  int flush(int timeout_ms) override { return fake_->flush(timeout_ms); }
  uint64_t net_tx_bytes() const override { return fake_->net_tx_bytes(); }
  uint64_t net_rx_bytes() const override { return fake_->net_rx_bytes(); }
  int partition_count(int timeout_ms) override { return fake_->partition_count(timeout_ms); }
  std::string last_error() const override { return fake_->last_error(); }

 private:
  std::unique_ptr<ProducerDriver> fake_;
  MessageBus& bus_;
};

// A fake consumer on the bus for as long as its client holds it.
class BusConsumer final : public ConsumerDriver {
 public:
  BusConsumer(MessageBus& bus, int partitions, bool ready) : bus_(bus) {
    std::vector<int32_t> all;
    for (int p = 0; p < partitions; ++p) all.push_back(p);
    fake_.set_assigned(all);
    fake_.set_ready(ready);
    bus_.attach(&fake_);
  }
  ~BusConsumer() override { bus_.detach(&fake_); }
  bool poll(int timeout_ms, Received& out) override { return fake_.poll(timeout_ms, out); }
  bool ready() const override { return fake_.ready(); }
  std::vector<int32_t> assigned() const override { return fake_.assigned(); }
  bool seek_to_end(int timeout_ms) override { return fake_.seek_to_end(timeout_ms); }
  void close() override { fake_.close(); }

 private:
  MessageBus& bus_;
  FakeConsumer fake_;
};

}  // namespace

// ---------------------------------------------------------------- agent

class InProcessAgent final : public FleetAgent {
 public:
  InProcessAgent(std::string role_name, int index, int64_t id, std::unique_ptr<AgentRole> role)
      : role_name_(std::move(role_name)),
        index_(index),
        id_(id),
        role_(std::move(role)),
        server_(*role_, "inproc://hydra-fleet-agent-" + std::to_string(id)) {}

  std::string describe() const override {
    return (role_name_ == "pub"
                ? "publisher agent" + (index_ ? " " + std::to_string(index_) : std::string())
                : "sub agent " + std::to_string(index_)) +
           " (in-process " + std::to_string(id_) + ")";
  }
  int64_t id() const override { return id_; }

  const std::string& role_name() const { return role_name_; }
  int index() const { return index_; }
  bool gone() const { return gone_; }
  // Killed without the fleet noticing: every request waits its timeout.
  bool hung() const { return hung_; }
  void hang() {
    end();
    hung_ = true;
  }
  bool running() const { return !gone_ && role_->state() == proto::AgentState::kRunning; }

  // SIGSTOP / SIGCONT: a stopped agent's requests wait until it continues.
  void set_stopped(bool stopped) {
    {
      std::lock_guard lk(stop_mu_);
      stopped_ = stopped;
    }
    stop_cv_.notify_all();
  }
  // False when still stopped after `timeout`.
  bool wait_continued(std::chrono::milliseconds timeout) {
    std::unique_lock lk(stop_mu_);
    return stop_cv_.wait_for(lk, timeout, [this] { return !stopped_; });
  }

  // Like the process ending: its threads stop and it answers no more.
  void end() {
    gone_ = true;
    role_->stop();
  }

  // One request through the agent's own command handling; one at a time, as
  // its REP socket would take them.
  std::string handle(Command cmd, const json& body) {
    bool shutdown = false;
    std::string reply = server_.handle(proto::make_request(cmd, body), &shutdown);
    if (shutdown) gone_ = true;
    return reply;
  }

  std::mutex mu;  // one request at a time

 private:
  std::string role_name_;
  int index_;
  int64_t id_;
  std::unique_ptr<AgentRole> role_;
  ControlServer server_;
  std::atomic<bool> gone_{false};
  std::atomic<bool> hung_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;
};

// ---------------------------------------------------------------- fleet

InProcessFleet::InProcessFleet() : InProcessFleet(Options{}) {}

InProcessFleet::InProcessFleet(Options options) : options_(std::move(options)) {
  if (options_.slow_delivery.count() > 0) bus_.slow_down(options_.slow_delivery);
}

InProcessFleet::~InProcessFleet() {
  // Roles first (their threads use the bus and the producer factory).
  subs_.clear();
  pubs_.clear();
}

std::unique_ptr<InProcessAgent> InProcessFleet::make(const std::string& role, int index) {
  std::unique_ptr<AgentRole> r;
  if (role == "pub") {
    while (int(producers_.size()) <= index)
      producers_.push_back(std::make_unique<FakeProducerFactory>());
    FakeProducerFactory* own = producers_[size_t(index)].get();
    r = std::make_unique<Publisher>(
        fake_drivers(
            [this, own](const proto::PublisherConfig& cfg, DeliveryFn on_delivery) {
              return std::unique_ptr<ProducerDriver>(
                  std::make_unique<BusProducer>(own->factory()(cfg, std::move(on_delivery)), bus_));
            },
            nullptr),
        clock_);
  } else {
    r = std::make_unique<Subscriber>(
        consumer_drivers([this](const proto::SubscriberConfig&, int client_id) {
          return std::unique_ptr<ConsumerDriver>(std::make_unique<BusConsumer>(
              bus_, options_.partitions, options_.never_ready.count(client_id) == 0));
        }));
  }
  return std::make_unique<InProcessAgent>(role, index, next_id_++, std::move(r));
}

void InProcessFleet::add_fault(Fault fault, Match match) {
  std::lock_guard lock(mu_);
  rules_.push_back(Rule{fault, std::move(match)});
}

void InProcessFleet::ensure(int publishers, int subscribers, std::chrono::milliseconds) {
  while (int(pubs_.size()) > publishers) pubs_.pop_back();
  for (int i = 0; i < int(pubs_.size()); ++i)
    if (pubs_[size_t(i)]->gone()) pubs_[size_t(i)] = make("pub", i);
  while (int(pubs_.size()) < publishers) pubs_.push_back(make("pub", int(pubs_.size())));
  while (int(subs_.size()) > subscribers) subs_.pop_back();
  for (int i = 0; i < int(subs_.size()); ++i)
    if (subs_[size_t(i)]->gone()) subs_[size_t(i)] = make("sub", i);
  while (int(subs_.size()) < subscribers) subs_.push_back(make("sub", int(subs_.size())));
}

std::vector<FleetAgent*> InProcessFleet::publishers() {
  std::vector<FleetAgent*> v;
  for (auto& p : pubs_) v.push_back(p.get());
  return v;
}

FakeProducer* InProcessFleet::producer(int index) const {
  return size_t(index) < producers_.size() ? producers_[size_t(index)]->last() : nullptr;
}

std::vector<proto::PublisherConfig> InProcessFleet::publisher_configs(int index) const {
  if (size_t(index) >= producers_.size()) return {};
  return producers_[size_t(index)]->configs();
}

std::vector<FleetAgent*> InProcessFleet::subscribers() {
  std::vector<FleetAgent*> v;
  for (auto& s : subs_) v.push_back(s.get());
  return v;
}

void InProcessFleet::discard(FleetAgent& agent) {
  auto& a = static_cast<InProcessAgent&>(agent);
  std::lock_guard lock(a.mu);
  a.end();
  ++discarded_;
}

int InProcessFleet::match_fault(const InProcessAgent& agent, Command cmd, const json& body) {
  std::lock_guard lock(mu_);
  calls_.push_back(Call{agent.role_name(), agent.index(), cmd, body});
  for (auto& r : rules_) {
    const Match& m = r.match;
    if (m.role != agent.role_name() || m.cmd != cmd) continue;
    if (m.index >= 0 && m.index != agent.index()) continue;
    if (m.when && !m.when(body)) continue;
    if (++r.seen == m.nth) return int(r.fault);
  }
  return -1;
}

Reply InProcessFleet::call(FleetAgent& agent, Command cmd, const json& body,
                           std::chrono::milliseconds timeout) {
  auto& a = static_cast<InProcessAgent&>(agent);
  const std::string no_answer = std::string(proto::command_name(cmd)) + ": no answer from " +
                                a.describe() + " within " +
                                std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s";
  Reply r;
  std::lock_guard lock(a.mu);
  if (a.hung()) {  // a killed process as a real fleet sees it: the caller waits
    match_fault(a, cmd, body);
    std::this_thread::sleep_for(timeout);
    r.error = no_answer;
    return r;
  }
  if (a.gone()) {  // a dead process: nothing answers (no wait: the test stays fast)
    r.error = no_answer;
    return r;
  }
  if (!a.wait_continued(timeout)) {  // stopped: the request waits in its queue
    match_fault(a, cmd, body);
    r.error = no_answer;
    return r;
  }
  const int fault = match_fault(a, cmd, body);
  if (fault == int(Fault::kDie) || fault == int(Fault::kHang)) {
    if (fault == int(Fault::kHang)) {
      a.hang();
      std::this_thread::sleep_for(timeout);
    } else {
      a.end();
    }
    r.error = no_answer;
    return r;
  }
  const std::string frame = a.handle(cmd, body);
  if (fault == int(Fault::kInterrupt)) request_interrupt(SIGINT);
  if (fault == int(Fault::kLateReply)) {
    // The command took effect; its answer arrives after the caller gave up.
    std::this_thread::sleep_for(timeout);
    r.error = no_answer;
    return r;
  }
  r.answered = true;
  r.body = json::parse(frame, nullptr, false);
  r.ok = r.body.is_object() && r.body.value("ok", false);
  if (!r.ok)
    r.error = std::string(proto::command_name(cmd)) + ": " +
              (r.body.is_object() ? r.body.value("error", "failed without a reason")
                                  : std::string("malformed reply"));
  return r;
}

std::string InProcessFleet::signal(FleetAgent& agent, int sig) {
  auto& a = static_cast<InProcessAgent&>(agent);
  {
    std::lock_guard lock(mu_);
    signals_.emplace_back(a.role_name() + std::to_string(a.index()), sig);
  }
  if (sig == SIGKILL) {
    a.set_stopped(false);  // a stopped process dies too
    std::lock_guard lock(a.mu);
    a.end();
  } else if (sig == SIGSTOP || sig == SIGCONT) {
    a.set_stopped(sig == SIGSTOP);
  } else {
    return "signal " + std::to_string(sig) + " is not simulated";
  }
  return "";
}

std::vector<std::pair<std::string, int>> InProcessFleet::signals() const {
  std::lock_guard lock(mu_);
  return signals_;
}

std::vector<InProcessFleet::Call> InProcessFleet::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int InProcessFleet::count(const std::string& role, Command cmd) const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& c : calls_)
    if (c.role == role && c.cmd == cmd) ++n;
  return n;
}

std::vector<std::string> InProcessFleet::running() const {
  std::vector<std::string> v;
  for (const auto& p : pubs_)
    if (p->running()) v.push_back(p->describe());
  for (const auto& s : subs_)
    if (s->running()) v.push_back(s->describe());
  return v;
}

}  // namespace hydra::test
