#include "agents/publisher.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "agents/payload/payload.h"
#include "common/keys.h"
#include "common/message_header.h"
#include "common/process_usage.h"
#include "common/rate_limiter.h"
#include "common/topics.h"

namespace hydra {
namespace {

constexpr auto kMailboxTimeout = std::chrono::milliseconds(5000);
constexpr int kFlushTimeoutMs = 10000;
constexpr int64_t kMaxIdleSleepNs = 5'000'000;  // keep serving control requests

using proto::AgentState;
using proto::ProtocolError;

}  // namespace

Publisher::Publisher(DriverRegistry drivers, Clock& clock)
    : drivers_(std::move(drivers)), clock_(clock) {}

Publisher::~Publisher() {
  stop();
}

AgentState Publisher::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

nlohmann::json Publisher::configure(const nlohmann::json& config) {
  auto parsed = proto::PublisherConfig::from_json(config);
  if (!drivers_.has(parsed.driver))
    throw ProtocolError("config.driver: " + drivers_.unknown_message(parsed.driver));
  std::lock_guard lock(mu_);
  if (state_ == AgentState::kRunning)
    throw ProtocolError("configure: the publisher is running; stop it first");
  config_ = std::move(parsed);
  state_ = AgentState::kConfigured;
  error_.clear();
  return {};
}

nlohmann::json Publisher::start() {
  std::lock_guard lock(mu_);
  if (state_ == AgentState::kRunning) return {{"already", true}};
  if (state_ == AgentState::kIdle)
    throw ProtocolError("start: not configured (send configure first)");
  if (thread_.joinable()) thread_.join();
  driver_.reset();
  messaging_ = drivers_.make(config_.driver);
  driver_ = messaging_->make_producer(
      config_, [this](const void* v, size_t n, bool ok) { on_delivery(v, n, ok); });
  const int have = driver_->partition_count(5000);
  if (have >= 0 && have < config_.partitions) {
    driver_.reset();
    throw ProtocolError("start: topic \"" + config_.topic + "\" has " + std::to_string(have) +
                        " partitions, config.partitions is " + std::to_string(config_.partitions));
  }
  try {
    PayloadSpec spec;
    spec.format = {payload_kind(config_.payload), encoding_of(config_.encoding)};
    spec.message_size = size_t(config_.message_size);
    spec.compressibility = config_.compressibility;
    spec.producer_id = config_.producer_id;
    if (spec.format.kind == PayloadKind::kFile)
      spec.lines = read_payload_lines(config_.payload_file, spec.format.encoding);
    payload_ = std::make_unique<PayloadWriter>(std::move(spec));
  } catch (const std::invalid_argument& e) {
    driver_.reset();
    throw ProtocolError(std::string("start: ") + e.what());
  }
  // One sequence per stream: topic index x partitions + partition
  // (common/topics.h); one topic: the partition.
  topics_ = int(std::max<size_t>(1, split_topics(config_.topic).size()));
  next_seq_.assign(size_t(config_.partitions) * size_t(topics_), 0);
  window_from_.assign(next_seq_.size(), 0);
  in_window_ = false;
  zero_counters();
  stopped_ns_ = 0;
  stop_requested_ns_.store(0);
  cpu_at_stop_ = 0;
  dr_refresh_every_ = 64;
  stop_.store(false);
  state_ = AgentState::kRunning;
  mailbox_.open();
  thread_ = std::thread([this] { run(); });
  return {};
}

nlohmann::json Publisher::stop() {
  // The window ends now, even if the sending thread is blocked and notices
  // later: unsent slots are counted up to here (count_unsent).
  stop_requested_ns_.store(clock_.now());
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (state_ == AgentState::kRunning) state_ = AgentState::kStopped;
  ProducerWindow w;
  w.producer_id = config_.producer_id;
  for (size_t p = 0; p < next_seq_.size(); ++p) {
    w.from[uint32_t(p)] = window_from_[p];
    w.until[uint32_t(p)] = next_seq_[p];
  }
  return {{"window", w.to_json()}};
}

nlohmann::json Publisher::status() {
  std::lock_guard lock(mu_);
  // A publisher is ready as soon as it is configured: it connects on start.
  return {{"state", proto::state_name(state_)},
          {"ready", state_ != AgentState::kIdle},
          {"error", error_}};
}

void Publisher::zero_counters() {
  stats_ = PublisherStats{};
  stats_.since_ns = clock_.now();
  window_from_ = next_seq_;
  cpu_at_reset_ = read_process_usage().cpu_ns;
  tx_at_reset_ = driver_ ? driver_->net_tx_bytes() : 0;
  rx_at_reset_ = driver_ ? driver_->net_rx_bytes() : 0;
}

void Publisher::count_unsent(const RateLimiter& limiter, int64_t stop_ns) {
  if (!in_window_ || limiter.rate() <= 0) return;
  // Slots due strictly before t: those i with slot_time(i) < t.
  auto due_before = [&](int64_t t) -> uint64_t {
    const int64_t t0 = limiter.slot_time(0);
    if (t <= t0) return 0;
    uint64_t i = uint64_t(double(t - t0) * limiter.rate() / 1e9);
    while (limiter.slot_time(i) < t) ++i;  // the float estimate may fall short
    while (i > 0 && limiter.slot_time(i - 1) >= t) --i;
    return i;
  };
  // A loop on schedule leaves the slots of its last sleep untaken (up to
  // kMaxIdleSleepNs); only those due longer before the stop than twice that
  // are a stall.
  const uint64_t first = std::max(limiter.slots_taken(), due_before(stats_.since_ns));
  const uint64_t end = due_before(stop_ns - 2 * kMaxIdleSleepNs + 1);
  // A stall long enough to matter is counted whole; its delays are recorded
  // one per slot up to a bound, the rest at the smallest delay (a lower bound).
  constexpr uint64_t kMaxSamples = 10'000'000;
  for (uint64_t i = first; i < end; ++i) {
    ++stats_.unsent;
    if (i - first < kMaxSamples) {
      stats_.send_delay.record(stop_ns - limiter.slot_time(i));
    } else {
      stats_.send_delay.record_n(stop_ns - limiter.slot_time(end - 1), end - i);
      stats_.unsent += end - i - 1;
      break;
    }
  }
}

nlohmann::json Publisher::snapshot_json() {
  PublisherStats s = stats_;
  ProcessUsage usage = read_process_usage();
  // CPU over the counted span: reset .. stop (flush included), or .. now.
  if (cpu_at_stop_) usage.cpu_ns = cpu_at_stop_;
  usage.cpu_ns -= std::min(usage.cpu_ns, cpu_at_reset_);
  s.cpu_ns = usage.cpu_ns;
  if (driver_) {
    s.net_tx_bytes = driver_->net_tx_bytes() - std::min(driver_->net_tx_bytes(), tx_at_reset_);
    s.net_rx_bytes = driver_->net_rx_bytes() - std::min(driver_->net_rx_bytes(), rx_at_reset_);
  }
  // The window ends when the stop was asked for, even if a blocked sending
  // thread noticed later (it sends nothing after that).
  const int64_t asked = stop_requested_ns_.load();
  s.until_ns =
      stopped_ns_ ? (asked > 0 ? std::min(asked, stopped_ns_) : stopped_ns_) : clock_.now();
  usage.span_ns = uint64_t(std::max<int64_t>(0, s.until_ns - s.since_ns));
  ProducerWindow w;
  w.producer_id = config_.producer_id;
  for (size_t p = 0; p < next_seq_.size(); ++p) {
    w.from[uint32_t(p)] = window_from_[p];
    w.until[uint32_t(p)] = next_seq_[p];
  }
  return {{"publisher", s.to_json()}, {"window", w.to_json()}, {"usage", usage.to_json()}};
}

nlohmann::json Publisher::stats(const nlohmann::json& request) {
  nlohmann::json out;
  if (!mailbox_.call([&] { out = snapshot_json(); }, kMailboxTimeout))
    throw std::runtime_error("stats: the sending thread did not answer within 5 s");
  if (!request.value("histograms", true)) {
#define HYDRA_FIELD(n) out["publisher"].erase(#n);
    HYDRA_PUBLISHER_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
    out["publisher"].erase("series");
  }
  std::lock_guard lock(mu_);
  out["role"] = "pub";
  out["state"] = proto::state_name(state_);
  out["producer_id"] = config_.producer_id;
  out["error"] = error_;
  return out;
}

nlohmann::json Publisher::reset(const nlohmann::json& request) {
  const int series_s = request.value("series_s", 0);
  if (series_s < 0 || series_s > SeriesSpan::kMaxSeconds)
    throw ProtocolError("reset: series_s must be 0.." + std::to_string(SeriesSpan::kMaxSeconds));
  SeriesSpan span;
  {
    std::lock_guard lock(mu_);
    if (state_ == AgentState::kIdle) throw ProtocolError("reset: not configured");
  }
  ProducerWindow w;
  if (!mailbox_.call(
          [&] {
            zero_counters();
            in_window_ = true;
            // Per-second counts of the window, when the controller asks
            // (a fault timeline's dip and recovery).
            if (series_s > 0) stats_.series.start(SeriesSpan{stats_.since_ns, series_s});
            span = stats_.series.span;
            w.producer_id = config_.producer_id;
            for (size_t p = 0; p < next_seq_.size(); ++p)
              w.from[uint32_t(p)] = w.until[uint32_t(p)] = window_from_[p];
          },
          kMailboxTimeout))
    throw std::runtime_error("reset: the sending thread did not answer within 5 s");
  nlohmann::json out = {{"window", w.to_json()}};
  if (span.on()) out["series"] = span.to_json();
  return out;
}

void Publisher::on_delivery(const void* value, size_t len, bool ok) {
  const auto h = decode_header(value, len);
  if (!h || h->partition >= window_from_.size()) return;
  // Reports for messages sent before the window (warm-up) are not counted.
  if (h->sequence < window_from_[h->partition]) return;
  if (stats_.series.span.on()) {
    auto& per_second = ok ? stats_.series.acked : stats_.series.failed;
    ++per_second[stats_.series.span.at(h->intended_ns)];
  }
  if (ok) {
    ++stats_.acked;
    // Reports come in bursts inside one poll(): reading the clock for each
    // was a tenth of the sending thread's time. The first report of a poll
    // reads it, then every 64th; the error stays at a few microseconds.
    if (!dr_clock_fresh_ || ++dr_since_clock_ >= dr_refresh_every_) {
      dr_now_ = clock_.now();
      dr_clock_fresh_ = true;
      dr_since_clock_ = 0;
    }
    stats_.ack_latency.record(dr_now_ - h->intended_ns);
  } else {
    ++stats_.failed;
  }
}

void Publisher::run() {
  const proto::PublisherConfig& c = config_;
  std::vector<std::string> keys;
  std::vector<int32_t> key_partition;
  for (int k = 0; k < c.keys; ++k) {
    keys.push_back("key-" + std::to_string(k));
    // The driver's own partitioner, so keyed placement matches other clients.
    key_partition.push_back(messaging_->partition_for_key(keys.back(), c.partitions));
  }
  // Which key each message gets: tables built here, so the send loop only
  // draws (common/keys.h).
  KeySpec key_spec;
  key_spec.count = c.keys;
  key_spec.distribution = c.key_distribution;
  key_spec.exponent = c.key_exponent;
  key_spec.hot_fraction = c.key_hot_fraction;
  key_spec.seed = uint64_t(c.key_seed);
  KeyChooser chooser(key_spec);
  PayloadWriter& payload = *payload_;
  MessageHeader h;
  h.producer_id = c.producer_id;
  h.flags = payload.flags();

  RateLimiter limiter(clock_, c.rate);
  const int64_t t0 = clock_.now();
  limiter.start(t0);
  const int64_t deadline = t0 + int64_t(c.max_run_s * 1e9);
  uint64_t slot = 0;
  bool failed = false;

  while (!stop_.load(std::memory_order_relaxed) && !failed) {
    mailbox_.serve();
    int64_t now = clock_.now();
    if (now >= deadline) break;
    int in_batch = 0;
    while (in_batch < c.msg_batch) {
      const int64_t intended = limiter.try_acquire(now);
      if (intended < 0) break;
      uint32_t key_index = 0;
      int32_t partition;
      std::string_view key;
      // Several topics take the messages in turn (common/topics.h).
      const int32_t topic = topics_ > 1 ? int32_t(slot % uint64_t(topics_)) : 0;
      if (!keys.empty()) {
        key_index = chooser.next();
        key = keys[key_index];
        partition = key_partition[key_index];
      } else {
        partition = int32_t((slot / uint64_t(topics_)) % uint64_t(c.partitions));
        key_index = uint32_t(slot & 0xffff);
      }
      partition += topic * c.partitions;  // the stream
      ++slot;
      h.partition = uint32_t(partition);
      h.sequence = next_seq_[size_t(partition)]++;
      h.intended_ns = intended;
      // Marks the window's messages, so a subscriber that reads one before
      // its own reset still counts its latency (message_header.h).
      h.flags = in_window_ ? (h.flags | MessageHeader::kFlagInWindow)
                           : (h.flags & ~MessageHeader::kFlagInWindow);
      const size_t size = payload.write(h.sequence, key_index, intended);
      uint8_t* const msg = payload.data();
      bool retried = false;
      for (;;) {
        // Back-to-back sends within a batch share a clock reading for up to 8
        // messages (~0.3 us apart, so actual times are early by < 3 us); the
        // first send of a batch and every retry read it fresh. The reading
        // per message was most of what separated this loop from a raw one.
        if (in_batch % 8 == 0 || retried) now = clock_.now();
        h.actual_ns = now;
        encode_header(h, msg);
        const SendStatus st = driver_->send(partition, key, msg, size);
        if (st == SendStatus::kOk) {
          // A reset served while this message waited on a full queue opened
          // the window after it: it is not the window's.
          if (h.sequence >= window_from_[size_t(partition)]) {
            ++stats_.sent;
            if (stats_.series.span.on()) ++stats_.series.sent[stats_.series.span.at(h.intended_ns)];
            stats_.bytes += size;
            stats_.send_delay.record(now - h.intended_ns);
            if (payload.encodes()) {
              ++stats_.encoded;
              stats_.encode_ns += uint64_t(payload.last_encode_ns());
            }
            if (stats_.first_send_ns == 0) stats_.first_send_ns = now;
            stats_.last_send_ns = now;
          }
          break;
        }
        if (st == SendStatus::kQueueFull && !stop_.load(std::memory_order_relaxed)) {
          // The schedule slips; the intended time stays, so the latency of
          // this and later messages carries the stall.
          ++stats_.queue_full;
          dr_clock_fresh_ = false;
          driver_->poll(1);
          mailbox_.serve();
          retried = true;
          continue;
        }
        // Not sent (stopping while the queue is full, or an error): give the
        // sequence back so the window has no phantom message in it.
        --next_seq_[size_t(partition)];
        if (st == SendStatus::kError) {
          failed = true;
          std::lock_guard lock(mu_);
          error_ = "send failed: " + driver_->last_error();
        }
        break;
      }
      if (failed || stop_.load(std::memory_order_relaxed)) break;
      ++in_batch;
    }
    dr_clock_fresh_ = false;
    driver_->poll(0);
    if (in_batch == 0 && !failed) {
      const int64_t due = limiter.slot_time(limiter.slots_taken());
      clock_.sleep_until(std::min(due, clock_.now() + kMaxIdleSleepNs));
    }
  }
  stopped_ns_ = clock_.now();
  if (!failed) {
    const int64_t asked = stop_requested_ns_.load();
    count_unsent(limiter, asked > 0 ? std::min(asked, stopped_ns_) : stopped_ns_);
  }
  // Bounded: what is still unacknowledged after this counts as neither.
  // Short flushes, so the delivery reports' clock stays fresh.
  int outstanding = 0;
  dr_refresh_every_ = 1;  // reports trickle in while flushing: read the clock for each
  const int64_t flush_deadline = clock_.now() + int64_t(kFlushTimeoutMs) * 1'000'000;
  do {
    dr_clock_fresh_ = false;
    outstanding = driver_->flush(10);
  } while (outstanding > 0 && clock_.now() < flush_deadline);
  cpu_at_stop_ = read_process_usage().cpu_ns;
  {
    std::lock_guard lock(mu_);
    if (outstanding > 0 && error_.empty())
      error_ = std::to_string(outstanding) + " messages unacknowledged after " +
               std::to_string(kFlushTimeoutMs / 1000) + " s";
    // Ended by itself (max_run_s) or by stop(): either way no longer running.
    state_ = failed ? AgentState::kFailed : AgentState::kStopped;
  }
  mailbox_.close();
}

}  // namespace hydra
