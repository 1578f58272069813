// One partition's log: record batches kept in memory in offset order, with
// an index that finds the batch holding an offset by binary search
// (O(log n)) and running byte totals that answer "how many bytes from this
// offset" in O(log n) too. Not thread-safe: Partition (broker/partition.h)
// guards it with its own lock.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hydra::broker {

// A stored batch's bytes: a view into a log segment that keeps the segment
// alive while a fetch response still refers to it.
struct BatchData {
  std::shared_ptr<const char> data;
  size_t size = 0;
  std::string_view view() const { return {data.get(), size}; }
};

// A block of memory batches are copied into, back to back. Pre-faulted
// blocks keep appends from faulting in every 4 KiB page of a log that
// grows by hundreds of MB/s; a segment is freed
// when retention dropped its last batch and no fetch still sends from it.
class Segment {
 public:
  explicit Segment(size_t capacity);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  size_t room() const { return cap_ - used_; }
  // Copies `b` in; returns where it landed.
  char* put(std::string_view b);

 private:
  char* base_ = nullptr;
  size_t cap_ = 0, used_ = 0;
};

struct StoredBatch {
  int64_t base = 0;       // first offset
  int64_t last = 0;       // last offset
  int64_t append_ms = 0;  // wall clock at append: time retention uses it
  int64_t max_timestamp = 0;
  int64_t bytes_before = 0;  // bytes appended to this log before this batch
  BatchData data;            // the batch as stored (baseOffset patched)
  size_t size() const { return data.size; }
};

// What retention removed: whole batches, counted in records and bytes.
struct Trimmed {
  int64_t records = 0;
  int64_t bytes = 0;
};

class PartitionLog {
 public:
  // First offset still in the log (the high watermark when it is empty).
  int64_t log_start() const { return batches_.empty() ? next_ : batches_.front().base; }
  // Next offset to be assigned.
  int64_t high_watermark() const { return next_; }
  int64_t bytes() const { return appended_bytes_ - trimmed_bytes_; }
  size_t batch_count() const { return batches_.size(); }

  // Stores a copy of `batch` holding `records` records with the next offset
  // patched into its baseOffset. Returns the base offset.
  int64_t append(std::string_view batch, int64_t records, int64_t max_timestamp, int64_t now_ms);

  // Appends to `out` the batches from the one holding `offset`, while their
  // total stays within `max_bytes`; the first is taken even when larger if
  // `at_least_one`. Returns the bytes added. `offset` outside
  // [log_start, high_watermark) adds nothing.
  size_t read(int64_t offset, size_t max_bytes, bool at_least_one,
              std::vector<BatchData>& out) const;
  // Bytes stored from the batch holding `offset` to the end.
  int64_t bytes_from(int64_t offset) const;
  // Offset of the first batch whose max timestamp is >= ts, or the high
  // watermark when none is.
  int64_t offset_for_timestamp(int64_t ts) const;

  // Drops whole batches from the front while the log holds more than
  // `retention_bytes` (< 0: no limit) or a batch is older than
  // `retention_ms` (< 0: no limit). Returns what was dropped.
  Trimmed trim(int64_t retention_bytes, int64_t retention_ms, int64_t now_ms);

 private:
  // Index of the batch holding `offset`, or batches_.size() when none.
  size_t find(int64_t offset) const;

  std::deque<StoredBatch> batches_;
  std::shared_ptr<Segment> segment_;  // the one appends go to
  size_t next_segment_ = 0;           // capacity of the last one made
  int64_t next_ = 0;
  int64_t appended_bytes_ = 0;
  int64_t trimmed_bytes_ = 0;
};

}  // namespace hydra::broker
