// In-memory stand-ins for the transport seam (agents/transport.h), so the
// publisher, the subscriber clients and the control server are tested without
// a broker. Also the small helpers those tests share: building Hydra message
// values and waiting, with a bound, for a condition.
//
// FakeProducer records every message it accepts (bytes, partition, key) and
// every attempt it refused; it can refuse the next N sends with kQueueFull
// (or kError), and poll()/flush() hand delivery reports back through the
// DeliveryFn, on the thread that calls them (the publisher's sending thread,
// as librdkafka would).
//
// FakeConsumer is a thread-safe queue of scripted messages the test pushes;
// poll() hands them out in order, each with the receive time read after it
// was taken (Received::recv_ns), and its wait_fd() is readable while the
// queue holds something (as the Kafka consumer's eventfd). A scripted
// message may be held back until a wall-clock time (Scripted::visible_ns),
// which gives a known floor under its latency. ready() and assigned() are
// whatever the test set.
//
// FakeMessagingDriver plugs those into a role through a DriverRegistry
// (agents/driver_registry.h), registered under the wire's default name
// "kafka" so the tests' configurations need no driver field; its keyed
// partitioner is fake_partition_for_key, deliberately not Kafka's, so a test
// can tell that the publisher asked the driver.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "agents/driver_registry.h"
#include "agents/publisher.h"
#include "agents/subscriber.h"
#include "agents/transport.h"
#include "common/clock.h"
#include "common/message_header.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace hydra::test {

// Runs `fn` and returns the ProtocolError's message ("" when none was thrown).
template <typename Fn>
std::string protocol_error(Fn fn) {
  try {
    fn();
  } catch (const proto::ProtocolError& e) {
    return e.what();
  }
  return "";
}

// Polls `cond` every millisecond until it holds or `timeout` passes. Returns
// whether it held (callers assert on that; a timeout is a failure, never a
// pass).
inline bool wait_for(const std::function<bool()>& cond,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// A Hydra message value: the header, then `size - 40` body bytes.
inline std::vector<uint8_t> hydra_message(uint32_t producer, uint32_t partition, uint64_t seq,
                                          int64_t intended_ns, size_t size = 100) {
  std::vector<uint8_t> v(std::max(size, MessageHeader::kSize), 0xAB);
  MessageHeader h;
  h.producer_id = producer;
  h.partition = partition;
  h.sequence = seq;
  h.intended_ns = intended_ns;
  h.actual_ns = intended_ns;
  encode_header(h, v.data());
  return v;
}

// ---------------------------------------------------------------- driver

using ProducerFactory = std::function<std::unique_ptr<ProducerDriver>(const proto::PublisherConfig&,
                                                                      DeliveryFn on_delivery)>;
using ConsumerMaker =
    std::function<std::unique_ptr<ConsumerDriver>(const proto::SubscriberConfig&, int client_id)>;

// The sum of the key's bytes modulo the partition count: stable per key,
// and unlike Kafka's murmur2 for most keys.
inline int32_t fake_partition_for_key(std::string_view key, int32_t partitions) {
  uint32_t sum = 0;
  for (unsigned char c : key) sum += c;
  return int32_t(sum % uint32_t(partitions));
}

class FakeMessagingDriver final : public MessagingDriver {
 public:
  FakeMessagingDriver(ProducerFactory producers, ConsumerMaker consumers)
      : producers_(std::move(producers)), consumers_(std::move(consumers)) {}

  std::string name() const override { return "fake"; }
  std::unique_ptr<ProducerDriver> make_producer(const proto::PublisherConfig& c,
                                                DeliveryFn on_delivery) override {
    if (!producers_) throw std::runtime_error("fake driver: no producers here");
    return producers_(c, std::move(on_delivery));
  }
  std::unique_ptr<ConsumerDriver> make_consumer(const proto::SubscriberConfig& c,
                                                int client_id) override {
    if (!consumers_) throw std::runtime_error("fake driver: no consumers here");
    return consumers_(c, client_id);
  }
  int32_t partition_for_key(std::string_view key, int32_t partitions) const override {
    return fake_partition_for_key(key, partitions);
  }
  std::unique_ptr<TopicAdmin> make_admin(const AdminTarget&) override {
    throw std::runtime_error("fake driver: no admin");
  }

 private:
  ProducerFactory producers_;
  ConsumerMaker consumers_;
};

// A registry whose only driver, "kafka", is a FakeMessagingDriver.
inline DriverRegistry fake_drivers(ProducerFactory producers, ConsumerMaker consumers) {
  DriverRegistry r;
  r.add(kDefaultDriver, [producers, consumers](const nlohmann::json&) {
    return std::make_unique<FakeMessagingDriver>(producers, consumers);
  });
  return r;
}

inline DriverRegistry consumer_drivers(ConsumerMaker consumers) {
  return fake_drivers(nullptr, std::move(consumers));
}

// ---------------------------------------------------------------- producer

struct SentMessage {
  int32_t partition = -1;
  std::string key;
  std::vector<uint8_t> value;
  MessageHeader header() const { return *decode_header(value.data(), value.size()); }
};

class FakeProducer final : public ProducerDriver {
 public:
  struct Options {
    int partitions = 0;             // partition_count(): 0 = as configured, -1 = unknown
    int queue_full_next = 0;        // the first N sends answer kQueueFull
    bool deliver_ok = true;         // delivery reports say ok (false: failed)
    bool hold_reports = false;      // poll()/flush() deliver nothing (outstanding)
    size_t max_recorded = 200'000;  // keep the bytes of at most this many sends
  };

  FakeProducer(Options o, DeliveryFn on_delivery)
      : partitions_(o.partitions),
        queue_full_next_(o.queue_full_next),
        deliver_ok_(o.deliver_ok),
        hold_reports_(o.hold_reports),
        max_recorded_(o.max_recorded),
        on_delivery_(std::move(on_delivery)) {}

  // ---- test side (any thread)
  void set_queue_full(int n) { queue_full_next_.store(n); }
  // The next send blocks this long before it is accepted (a transaction's
  // commit waiting through a broker outage does that to the sending loop).
  void block_next_send(int ms) { block_next_ms_.store(ms); }
  void set_error_next(int n) { error_next_.store(n); }
  void set_deliver_ok(bool ok) { deliver_ok_.store(ok); }
  void set_hold_reports(bool hold) { hold_reports_.store(hold); }

  uint64_t sent_count() const { return sent_count_.load(); }
  uint64_t refused_count() const { return refused_count_.load(); }
  uint64_t reported_count() const { return reported_count_.load(); }
  int poll_calls() const { return poll_calls_.load(); }
  int flush_calls() const { return flush_calls_.load(); }
  std::vector<SentMessage> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // Every refused attempt (kQueueFull or kError), in order.
  std::vector<SentMessage> refused() const {
    std::lock_guard lock(mu_);
    return refused_;
  }
  // Accepted sends per partition (all of them, also those not recorded).
  std::map<int32_t, uint64_t> sent_per_partition() const {
    std::lock_guard lock(mu_);
    return per_partition_;
  }

  // ---- ProducerDriver (the publisher's thread)
  SendStatus send(int32_t partition, std::string_view key, const void* value, size_t len) override {
    if (const int ms = block_next_ms_.exchange(0); ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    const auto* p = static_cast<const uint8_t*>(value);
    SentMessage m{partition, std::string(key), std::vector<uint8_t>(p, p + len)};
    std::lock_guard lock(mu_);
    if (take_one(error_next_)) {
      refused_.push_back(std::move(m));
      ++refused_count_;
      return SendStatus::kError;
    }
    if (take_one(queue_full_next_)) {
      if (refused_.size() < max_recorded_) refused_.push_back(std::move(m));
      ++refused_count_;
      return SendStatus::kQueueFull;
    }
    pending_.push_back(m.value);
    ++per_partition_[partition];
    if (sent_.size() < max_recorded_) sent_.push_back(std::move(m));
    ++sent_count_;
    return SendStatus::kOk;
  }

  void poll(int) override {
    ++poll_calls_;
    deliver();
  }

  int flush(int) override {
    ++flush_calls_;
    deliver();
    std::lock_guard lock(mu_);
    return int(pending_.size());
  }

  uint64_t net_tx_bytes() const override { return 0; }
  uint64_t net_rx_bytes() const override { return 0; }
  int partition_count(int) override { return partitions_; }
  std::string last_error() const override { return "fake: broker unreachable"; }

 private:
  static bool take_one(std::atomic<int>& n) {
    int v = n.load();
    while (v > 0)
      if (n.compare_exchange_weak(v, v - 1)) return true;
    return false;
  }

  // Reports every pending message, outside the lock (the callback may call
  // back into nothing here, but it runs the publisher's accounting).
  void deliver() {
    if (hold_reports_.load()) return;
    std::deque<std::vector<uint8_t>> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(pending_);
    }
    const bool ok = deliver_ok_.load();
    for (const auto& v : batch) {
      on_delivery_(v.data(), v.size(), ok);
      ++reported_count_;
    }
  }

  const int partitions_;
  std::atomic<int> queue_full_next_;
  std::atomic<int> block_next_ms_{0};
  std::atomic<int> error_next_{0};
  std::atomic<bool> deliver_ok_;
  std::atomic<bool> hold_reports_;
  const size_t max_recorded_;
  DeliveryFn on_delivery_;

  mutable std::mutex mu_;
  std::vector<SentMessage> sent_;
  std::vector<SentMessage> refused_;
  std::map<int32_t, uint64_t> per_partition_;
  std::deque<std::vector<uint8_t>> pending_;  // sent, not yet reported
  std::atomic<uint64_t> sent_count_{0};
  std::atomic<uint64_t> refused_count_{0};
  std::atomic<uint64_t> reported_count_{0};
  std::atomic<int> poll_calls_{0};
  std::atomic<int> flush_calls_{0};
};

// Makes FakeProducers for a Publisher and keeps a raw pointer to the latest
// (valid while the publisher holds it: until its next start or destruction).
// The publisher may make them on its agent's serving thread while the test
// reads last() and made() on its own (ThreadSanitizer found the race), so
// those two are atomic; configs() is read once the producer is made.
class FakeProducerFactory {
 public:
  FakeProducer::Options options;

  ProducerFactory factory() {
    return [this](const proto::PublisherConfig& cfg, DeliveryFn on_delivery) {
      configs_.push_back(cfg);
      FakeProducer::Options o = options;
      if (o.partitions == 0) o.partitions = cfg.partitions;
      auto p = std::make_unique<FakeProducer>(o, std::move(on_delivery));
      last_.store(p.get());
      made_.fetch_add(1);
      return std::unique_ptr<ProducerDriver>(std::move(p));
    };
  }

  // A registry for a Publisher, making its producers through factory().
  DriverRegistry drivers() { return fake_drivers(factory(), nullptr); }

  FakeProducer* last() const { return last_.load(); }
  int made() const { return made_.load(); }
  const std::vector<proto::PublisherConfig>& configs() const { return configs_; }

 private:
  std::atomic<FakeProducer*> last_{nullptr};
  std::atomic<int> made_{0};
  std::vector<proto::PublisherConfig> configs_;
};

// ---------------------------------------------------------------- consumer

struct Scripted {
  std::vector<uint8_t> value;
  int32_t partition = 0;
  int64_t offset = -1;
  bool error = false;
  std::string errstr;
  int64_t visible_ns = 0;  // not handed out before this wall-clock time
};

class FakeConsumer final : public ConsumerDriver {
 public:
  FakeConsumer() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~FakeConsumer() override {
    if (fd_ >= 0) ::close(fd_);
  }

  // ---- test side (any thread)
  void push(std::vector<uint8_t> value, int32_t partition = 0) {
    Scripted s;
    s.value = std::move(value);
    s.partition = partition;
    push(std::move(s));
  }
  void push_error(std::string errstr) {
    Scripted s;
    s.error = true;
    s.errstr = std::move(errstr);
    push(std::move(s));
  }
  void push(Scripted s) {
    {
      std::lock_guard lock(mu_);
      if (s.offset < 0) s.offset = next_offset_++;
      queue_.push_back(std::move(s));
    }
    signal();
    cv_.notify_all();
  }
  void set_ready(bool r) { ready_.store(r); }
  // What watermarks() says from now on (log start < 0: not known).
  void set_watermarks(int64_t log_start, int64_t log_end) {
    log_start_.store(log_start);
    log_end_.store(log_end);
  }
  void set_assigned(std::vector<int32_t> parts) {
    std::lock_guard lock(mu_);
    assigned_ = std::move(parts);
  }
  size_t queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }
  uint64_t delivered() const { return delivered_.load(); }
  bool closed() const { return closed_.load(); }

  // ---- ConsumerDriver (the client's thread)
  bool poll(int timeout_ms, Received& out) override {
    std::unique_lock lock(mu_);
    clear_signal();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (!queue_.empty()) {
        const int64_t wait_ns = queue_.front().visible_ns - wall_ns();
        if (wait_ns <= 0) break;
        // Held back: a later poll takes it. The fd stays readable, so a
        // waiting loop keeps asking until it is due.
        if (timeout_ms == 0) {
          signal();
          return false;
        }
        cv_.wait_for(lock, std::chrono::nanoseconds(wait_ns));
      } else if (timeout_ms == 0 || cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        if (queue_.empty()) return false;
      }
    }
    current_ = std::move(queue_.front());
    queue_.pop_front();
    out = Received{};
    out.value = current_.value.empty() ? nullptr : current_.value.data();
    out.len = current_.value.size();
    out.partition = current_.partition;
    out.offset = current_.offset;
    out.error = current_.error;
    out.errstr = current_.errstr;
    out.recv_ns = wall_ns();  // after it was taken, as the Kafka driver does
    ++delivered_;
    if (!queue_.empty()) signal();
    return true;
  }
  int wait_fd() const override { return fd_; }
  bool ready() const override { return ready_.load(); }
  std::vector<int32_t> assigned() const override {
    std::lock_guard lock(mu_);
    return assigned_;
  }
  // Like a seek to the end of the log: what is queued and not yet read is gone.
  bool seek_to_end(int) override {
    std::lock_guard lock(mu_);
    seeks_ += queue_.size() + 1;
    queue_.clear();
    return true;
  }
  size_t seeks() const {
    std::lock_guard lock(mu_);
    return seeks_;
  }
  void close() override { closed_.store(true); }
  bool watermarks(std::string_view, int32_t, int64_t* log_start, int64_t* log_end) const override {
    if (log_start_.load() < 0) return false;
    *log_start = log_start_.load();
    *log_end = log_end_.load();
    return true;
  }

 private:
  void signal() {
    const uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void clear_signal() {
    uint64_t v;
    (void)!::read(fd_, &v, sizeof v);
  }
  const int fd_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Scripted> queue_;
  size_t seeks_ = 0;
  Scripted current_;  // what the last poll() handed out (valid until the next)
  int64_t next_offset_ = 0;
  std::vector<int32_t> assigned_;
  std::atomic<bool> ready_{true};
  std::atomic<int64_t> log_start_{-1};
  std::atomic<int64_t> log_end_{-1};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<bool> closed_{false};
};

// Hands out one FakeConsumer per client id. The test may script a client's
// consumer before or after the client thread takes it; the pool keeps a raw
// pointer, valid until the client that took it is destroyed.
class FakeConsumerPool {
 public:
  // The consumer of client `id`: the one waiting to be taken, else the one
  // taken last, else a new one that will be handed out on the next take().
  FakeConsumer* at(int id) {
    std::lock_guard lock(mu_);
    auto& w = waiting_[id];
    if (w) return w.get();
    auto it = taken_by_.find(id);
    if (it != taken_by_.end()) return it->second;
    w = std::make_unique<FakeConsumer>();
    return w.get();
  }

  // Whoever takes it owns it (the client thread, through the factory).
  std::unique_ptr<ConsumerDriver> take(int id) {
    std::lock_guard lock(mu_);
    auto& w = waiting_[id];
    if (!w) w = std::make_unique<FakeConsumer>();
    taken_by_[id] = w.get();
    ++taken_;
    return std::unique_ptr<ConsumerDriver>(std::move(w));
  }

  int taken() const {
    std::lock_guard lock(mu_);
    return taken_;
  }

 private:
  mutable std::mutex mu_;
  std::map<int, std::unique_ptr<FakeConsumer>> waiting_;
  std::map<int, FakeConsumer*> taken_by_;
  int taken_ = 0;
};

}  // namespace hydra::test
