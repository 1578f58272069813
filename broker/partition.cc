#include "broker/partition.h"

#include <algorithm>

#include "broker/protocol.h"

namespace hydra::broker {

Partition::Partition(std::string topic, int32_t index, std::vector<int32_t> replicas,
                     Accounting& acc)
    : topic_(std::move(topic)), index_(index), replicas_(std::move(replicas)), acc_(acc) {}

Partition::~Partition() {
  acc_.memory_used -= log_.bytes();
}

void Partition::set_leader(int32_t broker_id) {
  leader_ = broker_id;
  ++epoch_;
  wake_all();
}

int16_t Partition::check_sequence(const BatchHeader& h, int64_t& dup) const {
  dup = -1;
  const int32_t last = h.base_sequence + h.last_offset_delta;
  auto it = producers_.find(h.producer_id);
  if (it == producers_.end() || h.producer_epoch > it->second.epoch)
    // A producer (or epoch) new to this partition starts at sequence 0.
    return h.base_sequence == 0 ? err::kNone : err::kOutOfOrderSequenceNumber;
  const ProducerState& ps = it->second;
  if (h.producer_epoch < ps.epoch) return err::kInvalidProducerEpoch;
  // A retried batch that is already stored: Kafka answers with the
  // original offset and no error (the client treats it as delivered).
  for (const auto& s : ps.recent)
    if (s.first_seq == h.base_sequence && s.last_seq == last) {
      dup = s.base_offset;
      return err::kNone;
    }
  const int32_t expect = ps.last_seq == INT32_MAX ? 0 : ps.last_seq + 1;
  if (h.base_sequence != expect) {
    // Older than everything remembered: a duplicate we can no longer
    // place, which Kafka reports as DUPLICATE_SEQUENCE_NUMBER.
    if (h.base_sequence < expect && !ps.recent.empty() && last < ps.recent.front().first_seq)
      return err::kDuplicateSequenceNumber;
    return err::kOutOfOrderSequenceNumber;
  }
  return err::kNone;
}

Partition::AppendResult Partition::append(std::string_view batch, const BatchHeader& h,
                                          const TopicConfig& cfg, int64_t now_ms) {
  AppendResult r;
  Trimmed trimmed;
  {
    std::unique_lock lk(mu_);
    const bool idempotent = h.producer_id >= 0;
    if (idempotent) {
      int64_t dup = -1;
      r.error = check_sequence(h, dup);
      if (r.error != err::kNone || dup >= 0) {
        r.base_offset = dup;
        r.log_start = log_.log_start();
        return r;
      }
    }
    const int64_t size = int64_t(batch.size());
    if (acc_.memory_used.fetch_add(size) + size > acc_.memory_cap) {
      acc_.memory_used -= size;
      acc_.refused_records += h.records();
      acc_.refused_bytes += size;
      // Retriable by default (the client backs off and retries, as with a
      // full disk); fatal when the broker was configured so.
      r.error = acc_.memory_cap_fatal ? err::kRecordListTooLarge : err::kKafkaStorageError;
      return r;
    }
    r.base_offset = log_.append(batch, h.records(), h.max_timestamp, now_ms);
    if (idempotent) {
      ProducerState& ps = producers_[h.producer_id];
      if (h.producer_epoch > ps.epoch) ps = ProducerState{};
      ps.epoch = h.producer_epoch;
      ps.last_seq = h.base_sequence + h.last_offset_delta;
      ps.recent.push_back({h.base_sequence, ps.last_seq, r.base_offset});
      if (ps.recent.size() > 5) ps.recent.pop_front();
    }
    if (cfg.retention_bytes >= 0) trimmed = log_.trim(cfg.retention_bytes, -1, now_ms);
    r.log_start = log_.log_start();
  }
  count_trimmed(trimmed);
  wake_all();
  return r;
}

void Partition::count_trimmed(const Trimmed& t) {
  if (t.records == 0) return;
  acc_.memory_used -= t.bytes;
  acc_.trimmed_records += t.records;
  acc_.trimmed_bytes += t.bytes;
}

Partition::ReadResult Partition::read(int64_t offset, size_t max_bytes, bool at_least_one) const {
  ReadResult r;
  std::shared_lock lk(mu_);
  r.high_watermark = log_.high_watermark();
  r.log_start = log_.log_start();
  if (offset < r.log_start || offset > r.high_watermark) {
    r.out_of_range = true;
    return r;
  }
  r.bytes = log_.read(offset, max_bytes, at_least_one, r.batches);
  return r;
}

int64_t Partition::bytes_from(int64_t offset) const {
  std::shared_lock lk(mu_);
  return log_.bytes_from(offset);
}
int64_t Partition::high_watermark() const {
  std::shared_lock lk(mu_);
  return log_.high_watermark();
}
int64_t Partition::log_start() const {
  std::shared_lock lk(mu_);
  return log_.log_start();
}
int64_t Partition::offset_for_timestamp(int64_t ts) const {
  std::shared_lock lk(mu_);
  return log_.offset_for_timestamp(ts);
}

void Partition::trim(const TopicConfig& cfg, int64_t now_ms) {
  if (cfg.retention_bytes < 0 && cfg.retention_ms < 0) return;
  Trimmed t;
  {
    std::unique_lock lk(mu_);
    t = log_.trim(cfg.retention_bytes, cfg.retention_ms, now_ms);
  }
  count_trimmed(t);
}

namespace {
bool done(const std::weak_ptr<Waiter>& w) {
  const auto alive = w.lock();
  return !alive || alive->finished();
}
}  // namespace

void Partition::add_waiter(const std::shared_ptr<Waiter>& w) {
  std::lock_guard lk(waiters_mu_);
  // Finished or gone waiters are dropped here and in wake_all(), so a
  // partition without appends does not collect them.
  if (waiters_.size() >= 32) std::erase_if(waiters_, done);
  waiters_.push_back(w);
}

void Partition::wake_all() {
  std::vector<std::shared_ptr<Waiter>> ws;
  {
    std::lock_guard lk(waiters_mu_);
    if (waiters_.empty()) return;
    std::erase_if(waiters_, done);
    ws.reserve(waiters_.size());
    for (const auto& w : waiters_)
      if (auto alive = w.lock()) ws.push_back(std::move(alive));
  }
  for (auto& w : ws) w->wake();
}

}  // namespace hydra::broker
