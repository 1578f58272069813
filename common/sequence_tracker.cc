// Invariant per stream (checked by the tests): unique + lost == next - from,
// and lost is the total length of the missing intervals, all of which lie in
// [from, next).
#include "common/sequence_tracker.h"

#include <algorithm>
#include <iterator>

namespace hydra {

namespace {

inline uint64_t make_key(uint32_t producer, uint32_t partition) {
  return (uint64_t(producer) << 32) | partition;
}

inline StreamKey split_key(uint64_t key) {
  return StreamKey{uint32_t(key >> 32), uint32_t(key)};
}

// Total length of the parts of the disjoint intervals in `missing` that lie
// in [lo, hi).
uint64_t missing_in(const std::map<uint64_t, uint64_t>& missing, uint64_t lo, uint64_t hi) {
  if (lo >= hi || missing.empty()) return 0;
  auto it = missing.upper_bound(lo);
  if (it != missing.begin() && std::prev(it)->second > lo) --it;
  uint64_t n = 0;
  for (; it != missing.end() && it->first < hi; ++it) {
    n += std::min(it->second, hi) - std::max(it->first, lo);
  }
  return n;
}

}  // namespace

SequenceTracker::Stream& SequenceTracker::find_or_add(uint32_t producer, uint32_t partition) {
  const uint64_t key = make_key(producer, partition);
  // unordered_map nodes never move, so the cached pointer stays valid until
  // clear() drops the streams.
  last_ = &streams_[key];
  last_key_ = key;
  return *last_;
}

SeqOutcome SequenceTracker::on_message(uint32_t producer, uint32_t partition, uint64_t seq) {
  const uint64_t key = make_key(producer, partition);
  Stream& s = (key == last_key_ && last_ != nullptr) ? *last_ : find_or_add(producer, partition);
  StreamCounts& c = s.c;

  if (seq == c.next) [[likely]] {
    s.after_skip = false;
    ++c.next;
    ++c.unique;
    return SeqOutcome::kInOrder;
  }
  if (seq < c.from) return SeqOutcome::kBeforeWindow;
  if (seq > c.next) {
    // Every missing interval ends at or below c.next, so the gap is a new
    // interval after all others (possibly adjacent to the last one, which is
    // harmless: intervals only need to be disjoint).
    s.missing.emplace_hint(s.missing.end(), c.next, seq);
    if (s.after_skip) s.skipped.emplace_hint(s.skipped.end(), c.next, seq);
    s.after_skip = false;
    c.lost += seq - c.next;
    c.next = seq + 1;
    ++c.unique;
    return SeqOutcome::kGap;
  }

  // from <= seq < next: either fills a hole or was seen before.
  auto it = s.missing.upper_bound(seq);
  if (it == s.missing.begin() || std::prev(it)->second <= seq) {
    ++c.duplicates;
    return SeqOutcome::kDuplicate;
  }
  --it;
  const uint64_t start = it->first;
  const uint64_t end = it->second;
  if (start == seq) {
    if (end == seq + 1) {
      s.missing.erase(it);
    } else {
      // Re-key the node in place instead of allocating a new one.
      auto node = s.missing.extract(it);
      node.key() = seq + 1;
      s.missing.insert(std::move(node));
    }
  } else {
    it->second = seq;
    if (end != seq + 1) s.missing.emplace_hint(std::next(it), seq + 1, end);
  }
  --c.lost;
  ++c.reordered;
  ++c.unique;
  return SeqOutcome::kReordered;
}

void SequenceTracker::set_window_start(uint32_t producer, uint32_t partition, uint64_t from) {
  Stream& s = find_or_add(producer, partition);
  StreamCounts& c = s.c;
  if (from == c.from) return;

  if (from < c.from) {
    // Lowering the window: what arrived in [from, c.from) was never recorded,
    // so it is treated as missing (lost unless it still arrives, then
    // reordered), which is what unique_in() reports for it either way.
    const uint64_t old_from = c.from;
    const uint64_t upto = std::min(old_from, c.next);
    if (from < upto) {
      auto first = s.missing.begin();
      if (first != s.missing.end() && first->first == upto) {
        // Merge with a hole that starts right at the old window start.
        const uint64_t end = first->second;
        s.missing.erase(first);
        s.missing.emplace(from, end);
      } else {
        s.missing.emplace(from, upto);
      }
      c.lost += upto - from;
    }
    c.from = from;
    c.next = std::max(c.next, from);
    return;
  }

  // Raising the window: forget everything below `from`.
  if (from >= c.next) {
    s.missing.clear();
    c.unique = 0;
    c.lost = 0;
    c.next = from;
    c.from = from;
    return;
  }
  const uint64_t dropped_missing = missing_in(s.missing, c.from, from);
  while (!s.missing.empty() && s.missing.begin()->first < from) {
    auto node = s.missing.extract(s.missing.begin());
    if (node.mapped() > from) {
      node.key() = from;
      s.missing.insert(std::move(node));
    }
  }
  c.lost -= dropped_missing;
  c.unique -= (from - c.from) - dropped_missing;
  c.from = from;
}

void SequenceTracker::reset() {
  for (auto& [key, s] : streams_) {
    s.missing.clear();
    s.skipped.clear();
    s.c.from = s.c.next;
    s.c.unique = 0;
    s.c.lost = 0;
    s.c.duplicates = 0;
    s.c.reordered = 0;
  }
}

void SequenceTracker::clear() {
  streams_.clear();
  last_key_ = ~uint64_t(0);
  last_ = nullptr;
}

const SequenceTracker::Stream* SequenceTracker::recorded_range(uint32_t producer,
                                                               uint32_t partition, uint64_t from,
                                                               uint64_t until, uint64_t* lo,
                                                               uint64_t* hi) const {
  auto it = streams_.find(make_key(producer, partition));
  if (it == streams_.end()) return nullptr;
  const Stream& s = it->second;
  *lo = std::max(from, s.c.from);
  *hi = std::min(until, s.c.next);
  return *lo < *hi ? &s : nullptr;
}

uint64_t SequenceTracker::unique_in(uint32_t producer, uint32_t partition, uint64_t from,
                                    uint64_t until) const {
  uint64_t lo = 0, hi = 0;
  const Stream* s = recorded_range(producer, partition, from, until, &lo, &hi);
  if (!s) return 0;
  return (hi - lo) - missing_in(s->missing, lo, hi);
}

void SequenceTracker::position_skipped(uint32_t partition) {
  for (auto& [key, s] : streams_)
    if (split_key(key).partition == partition) s.after_skip = true;
}

uint64_t SequenceTracker::trimmed_in(uint32_t producer, uint32_t partition, uint64_t from,
                                     uint64_t until) const {
  uint64_t lo = 0, hi = 0;
  const Stream* s = recorded_range(producer, partition, from, until, &lo, &hi);
  if (!s) return 0;
  uint64_t n = 0;
  for (const auto& [start, end] : s->skipped)
    n += missing_in(s->missing, std::max(lo, start), std::min(hi, end));
  return n;
}

StreamCounts SequenceTracker::stream(uint32_t producer, uint32_t partition) const {
  auto it = streams_.find(make_key(producer, partition));
  return it == streams_.end() ? StreamCounts{} : it->second.c;
}

std::vector<std::pair<StreamKey, StreamCounts>> SequenceTracker::streams() const {
  std::vector<std::pair<StreamKey, StreamCounts>> out;
  out.reserve(streams_.size());
  for (const auto& [key, s] : streams_) out.emplace_back(split_key(key), s.c);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

uint64_t SequenceTracker::unique() const {
  uint64_t n = 0;
  for (const auto& [key, s] : streams_) n += s.c.unique;
  return n;
}

uint64_t SequenceTracker::lost() const {
  uint64_t n = 0;
  for (const auto& [key, s] : streams_) n += s.c.lost;
  return n;
}

uint64_t SequenceTracker::duplicates() const {
  uint64_t n = 0;
  for (const auto& [key, s] : streams_) n += s.c.duplicates;
  return n;
}

uint64_t SequenceTracker::reordered() const {
  uint64_t n = 0;
  for (const auto& [key, s] : streams_) n += s.c.reordered;
  return n;
}

}  // namespace hydra
