#include "agents/subscriber_client.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "agents/payload/payload.h"
#include "agents/processing/processor.h"
#include "common/clock.h"
#include "common/message_header.h"

namespace hydra {

namespace {
// A header's partition field beyond this is not followed for positions (a
// corrupt record must not make the client allocate for it).
constexpr uint32_t kMaxStreamPartitions = 65535;
}  // namespace

SubscriberClient::SubscriberClient(int id, ConsumerFactory consumer_factory,
                                   ProcessorFactory processor_factory, int tick_ms)
    : id_(id),
      tick_ms_(tick_ms),
      consumer_factory_(std::move(consumer_factory)),
      processor_factory_(std::move(processor_factory)),
      tracker_(std::make_shared<SequenceTracker>()) {
  stats_.client_id = id;
}

void SubscriberClient::join_group(std::shared_ptr<SequenceTracker> tracker,
                                  bool reports_group_loss) {
  tracker_ = std::move(tracker);
  in_group_ = true;
  reports_group_loss_ = reports_group_loss;
}

bool SubscriberClient::crash_and_rejoin() {
  std::lock_guard lock(mu_);
  if (!driver_ || !open_) return false;
  // What it fetched but had not handed out is gone with the consumer.
  if (driver_->crash_and_rejoin()) return true;
  error_ = "the consumer could not crash and rejoin its group";
  return false;
}

std::vector<PausedSpan> SubscriberClient::paused_spans() const {
  std::lock_guard lock(mu_);
  return driver_ ? driver_->paused_spans() : std::vector<PausedSpan>{};
}

SubscriberClient::~SubscriberClient() {
  close();
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

LiveClientCounts SubscriberClient::live() const {
  return {live_received_.load(std::memory_order_relaxed),
          live_unique_.load(std::memory_order_relaxed), live_lost_.load(std::memory_order_relaxed)};
}

bool SubscriberClient::open() {
  try {
    auto driver = consumer_factory_(id_);
    if (processor_factory_) processor_ = processor_factory_();
    std::lock_guard lock(mu_);
    driver_ = std::move(driver);
    open_ = true;
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    error_ = e.what();
    return false;
  }
  return true;
}

int SubscriberClient::wait_fd() const {
  return open_ ? driver_->wait_fd() : -1;
}

void SubscriberClient::set_slow(double rate_per_s) {
  slow_rate_ = rate_per_s > 0 ? rate_per_s : 0;
  set_throttle(0);
  stats_.slow = slow_rate_ > 0;
}

void SubscriberClient::set_throttle(double rate_per_s) {
  throttle_rate_ = rate_per_s > 0 ? rate_per_s : slow_rate_;
  tokens_at_ns_ = 0;  // a new limit starts from one token
}

size_t SubscriberClient::pump(size_t max) {
  if (!open_) return 0;
  if (throttle_rate_ > 0) {
    const int64_t now = mono_ns();
    const double burst = std::max(1.0, throttle_rate_ * 0.5);
    if (tokens_at_ns_ == 0)
      tokens_ = 1;
    else
      tokens_ = std::min(burst, tokens_ + double(now - tokens_at_ns_) * 1e-9 * throttle_rate_);
    tokens_at_ns_ = now;
    max = std::min(max, size_t(tokens_));
    if (max == 0) return 0;
  }
  Received r;
  size_t n = 0;
  try {
    while (n < max && driver_->poll(0, r)) {
      ++n;
      // The driver reads the clock after the message is in its hands; a
      // driver that does not gets a reading taken now, which is later still.
      handle(r, r.recv_ns ? r.recv_ns : wall_ns());
    }
  } catch (const std::exception& e) {
    // A processing failure (a GPU error, say) ends processing for this
    // client, not the client: it keeps counting, and says why.
    std::lock_guard lock(mu_);
    error_ = std::string("processing stopped: ") + e.what();
    processor_.reset();
  }
  if (throttle_rate_ > 0) tokens_ -= double(n);
  if (n > 0) publish_live();
  return n;
}

void SubscriberClient::tick(int64_t now_ns) {
  if (!processor_) return;
  try {
    processor_->poll(now_ns);
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    error_ = std::string("processing stopped: ") + e.what();
    processor_.reset();
  }
}

void SubscriberClient::close() {
  if (!open_) return;
  open_ = false;
  try {
    if (processor_ && !processor_->drain()) {
      std::lock_guard lock(mu_);
      error_ = "processing: batches still in flight after the drain timeout";
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    error_ = std::string("processing stopped: ") + e.what();
  }
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
  follow_position(r, h->partition);
  // Once the window is known, only its producers' messages count: a late
  // message of an earlier step's producer is not this window's.
  if (has_window_ && !in_window_producers(h->producer_id)) {
    ++stats_.before_window;
    return;
  }
  const SeqOutcome out = tracker_->on_message(h->producer_id, h->partition, h->sequence);
  if (out == SeqOutcome::kBeforeWindow) {
    ++stats_.before_window;
    return;
  }
  if (out == SeqOutcome::kDuplicate) {  // counted by the tracker
    if (stats_.series.span.on()) ++stats_.series.dups[stats_.series.span.at(h->intended_ns)];
    return;
  }
  if (!has_window_ && (h->flags & MessageHeader::kFlagInWindow)) {
    // Sent inside the publisher's window, read before this client's reset:
    // the tracker keeps it as one of the window's, so its latency must be
    // kept too (reset() adds it to the window's figures).
    EarlyWindow& e = early_[h->producer_id];
    e.bytes += r.len;
    e.latency.record(now_ns - h->intended_ns);
    e.coarse.record(now_ns - h->intended_ns);
    if (e.first_recv_ns == 0) e.first_recv_ns = now_ns;
    e.last_recv_ns = now_ns;
  }
  stats_.bytes += r.len;
  stats_.latency.record(now_ns - h->intended_ns);
  if (stats_.series.span.on()) {
    ClientSeries& ps = stats_.series;
    const size_t sent_s = ps.span.at(h->intended_ns);
    ++ps.unique[sent_s];
    ps.latency[sent_s].record(now_ns - h->intended_ns);
    ++ps.received[ps.span.at(now_ns)];
  }
  if (stats_.first_recv_ns == 0) stats_.first_recv_ns = now_ns;
  stats_.last_recv_ns = now_ns;
  const auto* body = static_cast<const uint8_t*>(r.value) + MessageHeader::kSize;
  const size_t body_len = r.len - MessageHeader::kSize;
  const BodyFormat format = body_format(h->flags);
  if (decode_ && has_document(format)) {
    // Timed alone (two clock reads), so serializers compare by their own cost.
    const int64_t t0 = mono_ns();
    const bool ok = decode_document(format, body, body_len).has_value();
    stats_.decode_ns += uint64_t(mono_ns() - t0);
    ++stats_.decoded;
    if (!ok) ++stats_.decode_errors;
  }
  if (processor_) {
    SensorRecord rec;
    if (decode_sensor(format, body, body_len, &rec))
      processor_->submit(rec, now_ns, h->intended_ns);
    processor_->poll(now_ns);
  }
}

void SubscriberClient::follow_position(const Received& r, uint32_t stream) {
  if (r.offset < 0 || stream > kMaxStreamPartitions) return;
  if (stream >= positions_.size()) positions_.resize(stream + 1);
  Position& p = positions_[stream];
  if (p.partition != r.partition || p.topic != r.topic) {
    p.topic = std::string(r.topic);
    p.partition = r.partition;
  } else if (p.next >= 0 && r.offset > p.next) {
    // Offsets are dense but for transaction markers and compaction, so a
    // jump alone proves nothing; one from below the log start does: the
    // broker removed what this client was about to read (an offset out of
    // range, then a reset). The gaps this opens are trimmed, not the client's.
    int64_t log_start = -1, log_end = -1;
    if (driver_ && driver_->watermarks(p.topic, p.partition, &log_start, &log_end) &&
        log_start > p.next) {
      tracker_->position_skipped(stream);
      ++stats_.position_skips;
    }
  }
  p.next = r.offset + 1;
}

bool SubscriberClient::position_trimmed(uint32_t stream) const {
  if (stream >= positions_.size() || positions_[stream].next < 0 || !driver_) return false;
  const Position& p = positions_[stream];
  int64_t log_start = -1, log_end = -1;
  return driver_->watermarks(p.topic, p.partition, &log_start, &log_end) && log_start > p.next;
}

std::map<int32_t, int64_t> SubscriberClient::partition_lag() const {
  std::map<int32_t, int64_t> lag;
  if (!driver_) return lag;
  // A group member reports only what it holds now: a partition the group
  // moved elsewhere is the new owner's.
  std::vector<int32_t> held;
  if (in_group_) held = driver_->assigned();
  for (size_t stream = 0; stream < positions_.size(); ++stream) {
    const Position& p = positions_[stream];
    if (p.next < 0) continue;
    if (in_group_ && std::find(held.begin(), held.end(), p.partition) == held.end()) continue;
    int64_t log_start = -1, log_end = -1;
    if (driver_->watermarks(p.topic, p.partition, &log_start, &log_end))
      lag[int32_t(stream)] = std::max<int64_t>(0, log_end - p.next);
  }
  return lag;
}

bool SubscriberClient::in_window_producers(uint32_t producer) const {
  for (const auto& w : windows_)
    if (w.producer_id == producer) return true;
  return false;
}

void SubscriberClient::publish_live() {
  live_received_.store(stats_.received, std::memory_order_relaxed);
  uint64_t unique = 0, lost = 0;
  if (in_group_) {
    // What this member counted for its group (one latency sample each);
    // the group's loss once, on its reporting member.
    if (reports_group_loss_) {
      ClientStats g;
      if (!windows_.empty()) count_window(g, windows_, /*until_known=*/false);
      lost = windows_.empty() ? tracker_->lost() : g.lost;
    }
    live_unique_.store(stats_.latency.count(), std::memory_order_relaxed);
    live_lost_.store(lost, std::memory_order_relaxed);
    return;
  }
  if (!windows_.empty()) {
    for (const auto& w : windows_)
      for (const auto& [partition, from] : w.from) {
        const StreamCounts c = tracker_->stream(w.producer_id, partition);
        unique += c.unique;
        lost += c.lost;
      }
  } else {
    unique = tracker_->unique();
    lost = tracker_->lost();
  }
  live_unique_.store(unique, std::memory_order_relaxed);
  live_lost_.store(lost, std::memory_order_relaxed);
}

void SubscriberClient::reset(const std::vector<ProducerWindow>& windows, SeriesSpan series) {
  const int id = stats_.client_id;
  stats_ = ClientStats{};
  stats_.client_id = id;
  if (series.on()) stats_.series.start(series);
  stats_.slow = slow_rate_ > 0;
  {
    // A transient consumer error of an earlier span is not this one's.
    std::lock_guard lock(mu_);
    error_.clear();
  }
  // Without the publisher's window, the warm-up boundary is "now".
  if (windows.empty()) tracker_->reset();
  dup_base_ = tracker_->duplicates();
  reorder_base_ = tracker_->reordered();
  windows_ = windows;
  has_window_ = !windows.empty();
  for (const auto& w : windows) {
    for (const auto& [partition, from] : w.from)
      tracker_->set_window_start(w.producer_id, partition, from);
    // The window's messages this client read before its reset: the tracker
    // counts them, so their latency, bytes and times count as well; every
    // message counted in the window has exactly one latency sample.
    auto it = early_.find(w.producer_id);
    if (it == early_.end()) continue;
    stats_.latency += it->second.latency;
    if (series.on()) {
      // Sent between the publisher's reset and this one: the first second.
      const uint64_t n = it->second.coarse.count();
      stats_.series.unique[0] += n;
      stats_.series.received[0] += n;
      stats_.series.latency[0] += it->second.coarse;
    }
    stats_.bytes += it->second.bytes;
    if (stats_.first_recv_ns == 0 || it->second.first_recv_ns < stats_.first_recv_ns)
      stats_.first_recv_ns = it->second.first_recv_ns;
    stats_.last_recv_ns = std::max(stats_.last_recv_ns, it->second.last_recv_ns);
  }
  early_.clear();
  if (processor_) processor_->take_stats(/*reset=*/true);
  publish_live();
}

bool SubscriberClient::seek_to_end() {
  std::lock_guard lock(mu_);
  const bool ok = driver_ && open_ && driver_->seek_to_end(5000);
  if (ok) error_.clear();  // a new step starts with a clean slate
  // The last step's window no longer filters: the next producer's messages
  // must reach the tracker before this step's reset arrives.
  windows_.clear();
  has_window_ = false;
  early_.clear();
  positions_.clear();  // the jump to the end is this seek's, not a trim
  return ok;
}

void SubscriberClient::count_window(ClientStats& s, const std::vector<ProducerWindow>& ws,
                                    bool until_known) const {
  s.unique = s.lost = s.behind = s.trimmed = 0;
  for (const auto& w : ws) {
    for (const auto& [partition, start] : w.from) {
      const uint64_t reached = tracker_->stream(w.producer_id, partition).next;
      uint64_t until = reached;
      if (until_known) {
        auto it = w.until.find(partition);
        until = it == w.until.end() ? start : it->second;
      }
      if (until <= start) continue;
      const uint64_t got = tracker_->unique_in(w.producer_id, partition, start, until);
      s.unique += got;
      s.lost += (until - start) - got;
      s.trimmed += tracker_->trimmed_in(w.producer_id, partition, start, until);
      // Past the furthest sequence reached: behind, unless the broker has
      // already removed what comes after this client's position (then its
      // next fetch is out of range and the reset skips the rest).
      const uint64_t past = until - std::clamp(reached, start, until);
      if (past > 0 && position_trimmed(partition))
        s.trimmed += past;
      else
        s.behind += past;
    }
  }
}

// Counts over [from, until) of each stream: until is the publisher's when
// the caller passes its window (then a message that never arrived is lost
// even if no later message revealed the gap); while the window is still
// open (live progress), it is what this client has seen so far. "behind"
// splits the lost: messages past the furthest sequence the client reached
// were never overtaken by a later one, so the client was slow rather than
// the stream holed (a gap). For a group member the tracker is the group's.
void SubscriberClient::group_counts(ClientStats& s,
                                    const std::vector<ProducerWindow>& windows) const {
  s.duplicates = tracker_->duplicates() - dup_base_;
  s.reordered = tracker_->reordered() - reorder_base_;
  if (!windows.empty()) {
    count_window(s, windows, /*until_known=*/true);
  } else if (!windows_.empty()) {
    count_window(s, windows_, /*until_known=*/false);
  } else {
    s.unique = tracker_->unique();
    s.lost = tracker_->lost();
  }
}

ClientStats SubscriberClient::snapshot(const std::vector<ProducerWindow>& windows) {
  ClientStats s = stats_;
  if (in_group_) {
    // A member: what it counted for its group. The group's loss and
    // duplicates are the group's (group_counts), not any member's.
    s.unique = stats_.latency.count();
  } else {
    group_counts(s, windows);
  }
  {
    std::lock_guard lock(mu_);
    s.ready = driver_ && driver_->ready();
    s.error = error_;
  }
  if (processor_) s.processing = processor_->take_stats(/*reset=*/false).to_json();
  return s;
}

}  // namespace hydra
