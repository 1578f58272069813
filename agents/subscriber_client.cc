#include "agents/subscriber_client.h"

#include <algorithm>
#include <chrono>

#include "agents/processing/processor.h"
#include "common/clock.h"
#include "common/message_header.h"

namespace hydra {
namespace {
constexpr auto kMailboxTimeout = std::chrono::milliseconds(5000);
}  // namespace

SubscriberClient::SubscriberClient(int id, ConsumerFactory consumer_factory,
                                   ProcessorFactory processor_factory, int poll_ms)
    : id_(id),
      poll_ms_(poll_ms),
      consumer_factory_(std::move(consumer_factory)),
      processor_factory_(std::move(processor_factory)) {
  stats_.client_id = id;
}

SubscriberClient::~SubscriberClient() {
  request_stop();
  join();
}

void SubscriberClient::start() {
  stop_.store(false);
  mailbox_.open();
  thread_ = std::thread([this] { run(); });
}

void SubscriberClient::join() {
  if (thread_.joinable()) thread_.join();
}

bool SubscriberClient::ready() const {
  std::lock_guard lock(mu_);
  return driver_ && driver_->ready();
}

std::vector<int32_t> SubscriberClient::assigned() const {
  std::lock_guard lock(mu_);
  return driver_ ? driver_->assigned() : std::vector<int32_t>{};
}

std::string SubscriberClient::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void SubscriberClient::run() {
  try {
    auto driver = consumer_factory_(id_);
    if (processor_factory_) processor_ = processor_factory_();
    std::lock_guard lock(mu_);
    driver_ = std::move(driver);
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mu_);
      error_ = e.what();
    }
    // Outside the lock: close() runs a pending snapshot, which takes mu_.
    mailbox_.close();
    return;
  }
  ConsumerDriver& driver = *driver_;
  Received r;
  // The receive time: read fresh whenever poll() may have waited. Messages
  // already queued locally are taken back to back, ~0.3 us apart, so a run of
  // them shares one reading for up to 16 messages (error under ~5 us, far
  // below any latency this measures); the clock read per message was a large
  // part of the client's own cost.
  int64_t now = 0;
  int since_clock = 16;
  while (!stop_.load(std::memory_order_relaxed)) {
    mailbox_.serve();
    try {
      bool got = driver.poll(0, r);
      if (got) {
        if (++since_clock >= 16) now = wall_ns(), since_clock = 0;
      } else if ((got = driver.poll(poll_ms_, r))) {
        now = wall_ns();
        since_clock = 0;
      }
      if (got) {
        handle(r, now);
      } else if (processor_) {
        processor_->poll(wall_ns());
      }
    } catch (const std::exception& e) {
      // A processing failure (a GPU error, say) ends processing for this
      // client, not the client: it keeps counting, and says why.
      std::lock_guard lock(mu_);
      error_ = std::string("processing stopped: ") + e.what();
      processor_.reset();
    }
  }
  try {
    if (processor_ && !processor_->drain()) {
      std::lock_guard lock(mu_);
      error_ = "processing: batches still in flight after the drain timeout";
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    error_ = std::string("processing stopped: ") + e.what();
  }
  mailbox_.close();
  std::lock_guard lock(mu_);
  driver_->close();
}

void SubscriberClient::handle(const Received& r, int64_t now_ns) {
  ++stats_.received;
  if (r.error) {
    ++stats_.errors;
    std::lock_guard lock(mu_);
    error_ = std::string(r.errstr);
    return;
  }
  const auto h = decode_header(r.value, r.len);
  if (!h) {
    ++stats_.foreign;
    return;
  }
  // Once the window is known, only its producers' messages count: a late
  // message of an earlier step's producer is not this window's.
  if (has_window_ && !in_window_producers(h->producer_id)) {
    ++stats_.before_window;
    return;
  }
  const SeqOutcome out = tracker_.on_message(h->producer_id, h->partition, h->sequence);
  if (out == SeqOutcome::kBeforeWindow) {
    ++stats_.before_window;
    return;
  }
  if (out == SeqOutcome::kDuplicate) return;  // counted by the tracker
  stats_.bytes += r.len;
  stats_.latency.record(now_ns - h->intended_ns);
  if (stats_.first_recv_ns == 0) stats_.first_recv_ns = now_ns;
  stats_.last_recv_ns = now_ns;
  if (processor_) {
    SensorRecord rec;
    if ((h->flags & MessageHeader::kFlagSensorPayload) &&
        decode_sensor_record(static_cast<const uint8_t*>(r.value) + MessageHeader::kSize,
                             r.len - MessageHeader::kSize, &rec))
      processor_->submit(rec, now_ns, h->intended_ns);
    processor_->poll(now_ns);
  }
}

bool SubscriberClient::in_window_producers(uint32_t producer) const {
  for (const auto& w : windows_)
    if (w.producer_id == producer) return true;
  return false;
}

bool SubscriberClient::reset(const std::vector<ProducerWindow>& windows) {
  return mailbox_.call(
      [&] {
        const int id = stats_.client_id;
        stats_ = ClientStats{};
        stats_.client_id = id;
        {
          // A transient consumer error of an earlier span is not this one's.
          std::lock_guard lock(mu_);
          error_.clear();
        }
        // Without the publisher's window, the warm-up boundary is "now".
        if (windows.empty()) tracker_.reset();
        dup_base_ = tracker_.duplicates();
        reorder_base_ = tracker_.reordered();
        windows_ = windows;
        has_window_ = !windows.empty();
        for (const auto& w : windows)
          for (const auto& [partition, from] : w.from)
            tracker_.set_window_start(w.producer_id, partition, from);
        if (processor_) processor_->take_stats(/*reset=*/true);
      },
      kMailboxTimeout);
}

bool SubscriberClient::seek_to_end() {
  bool ok = false;
  const bool answered = mailbox_.call(
      [&] {
        std::lock_guard lock(mu_);
        ok = driver_ && driver_->seek_to_end(5000);
        if (ok) error_.clear();  // a new step starts with a clean slate
        // The last step's window no longer filters: the next producer's
        // messages must reach the tracker before this step's reset arrives.
        windows_.clear();
        has_window_ = false;
      },
      std::chrono::milliseconds(15000));
  return answered && ok;
}

ClientStats SubscriberClient::make_snapshot(const std::vector<ProducerWindow>& windows) {
  ClientStats s = stats_;
  s.duplicates = tracker_.duplicates() - dup_base_;
  s.reordered = tracker_.reordered() - reorder_base_;
  // Counts over [from, until) of each stream: until is the publisher's when
  // the caller passes its window (then a message that never arrived is lost
  // even if no later message revealed the gap); while the window is still
  // open (live progress), it is what this client has seen so far.
  // "behind" splits the lost: messages past the furthest sequence the client
  // reached were never overtaken by a later one, so the client was slow
  // rather than the stream holed (a gap).
  auto count_window = [&](const std::vector<ProducerWindow>& ws, bool until_known) {
    s.unique = s.lost = s.behind = 0;
    for (const auto& w : ws) {
      for (const auto& [partition, start] : w.from) {
        const uint64_t reached = tracker_.stream(w.producer_id, partition).next;
        uint64_t until = reached;
        if (until_known) {
          auto it = w.until.find(partition);
          until = it == w.until.end() ? start : it->second;
        }
        if (until <= start) continue;
        const uint64_t got = tracker_.unique_in(w.producer_id, partition, start, until);
        s.unique += got;
        s.lost += (until - start) - got;
        s.behind += until - std::clamp(reached, start, until);
      }
    }
  };
  if (!windows.empty()) {
    count_window(windows, /*until_known=*/true);
  } else if (!windows_.empty()) {
    count_window(windows_, /*until_known=*/false);
  } else {
    s.unique = tracker_.unique();
    s.lost = tracker_.lost();
  }
  {
    std::lock_guard lock(mu_);
    s.ready = driver_ && driver_->ready();
    s.error = error_;
  }
  if (processor_) s.processing = processor_->take_stats(/*reset=*/false).to_json();
  return s;
}

std::optional<ClientStats> SubscriberClient::snapshot(const std::vector<ProducerWindow>& windows) {
  std::optional<ClientStats> out;
  if (!mailbox_.call([&] { out = make_snapshot(windows); }, kMailboxTimeout)) return std::nullopt;
  return out;
}

}  // namespace hydra
