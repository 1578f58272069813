#include "broker/partition_log.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "broker/codec.h"
#include "broker/record_batch.h"

namespace hydra::broker {

namespace {
// Segments start small (a partition that gets little keeps little) and
// double up to 8 MiB, four huge pages, for partitions that get a lot.
constexpr size_t kFirstSegment = size_t(64) << 10;
constexpr size_t kMaxSegment = size_t(8) << 20;
}  // namespace

Segment::Segment(size_t capacity) : cap_(capacity) {
  // Pre-faulted in one call: far cheaper than a fault per 4 KiB page as
  // appends first touch them. (Huge pages were tried: with the kernel's
  // defrag-on-madvise they cost more in compaction than they saved.)
  void* p = mmap(nullptr, cap_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                 -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<char*>(p);
}

Segment::~Segment() {
  munmap(base_, cap_);
}

char* Segment::put(std::string_view b) {
  char* at = base_ + used_;
  std::memcpy(at, b.data(), b.size());
  used_ += b.size();
  return at;
}

int64_t PartitionLog::append(std::string_view batch, int64_t records, int64_t max_timestamp,
                             int64_t now_ms) {
  if (!segment_ || segment_->room() < batch.size()) {
    next_segment_ = std::min(kMaxSegment, next_segment_ ? next_segment_ * 2 : kFirstSegment);
    segment_ = std::make_shared<Segment>(std::max(next_segment_, batch.size()));
  }
  char* at = segment_->put(batch);
  put_be64(at + kBaseOffsetAt, next_);
  StoredBatch b;
  b.base = next_;
  b.last = next_ + records - 1;
  b.append_ms = now_ms;
  b.max_timestamp = max_timestamp;
  b.bytes_before = appended_bytes_;
  b.data = BatchData{std::shared_ptr<const char>(segment_, at), batch.size()};
  appended_bytes_ += int64_t(batch.size());
  next_ += records;
  batches_.push_back(std::move(b));
  return batches_.back().base;
}

size_t PartitionLog::find(int64_t offset) const {
  // The first batch whose last offset is >= offset holds it (offsets are
  // dense and increasing, so this is the one).
  auto it = std::lower_bound(batches_.begin(), batches_.end(), offset,
                             [](const StoredBatch& b, int64_t o) { return b.last < o; });
  return size_t(it - batches_.begin());
}

size_t PartitionLog::read(int64_t offset, size_t max_bytes, bool at_least_one,
                          std::vector<BatchData>& out) const {
  if (offset < log_start() || offset >= next_) return 0;
  size_t added = 0;
  for (size_t i = find(offset); i < batches_.size(); ++i) {
    const size_t n = batches_[i].size();
    if (added + n > max_bytes && !(at_least_one && added == 0)) break;
    out.push_back(batches_[i].data);
    added += n;
  }
  return added;
}

int64_t PartitionLog::bytes_from(int64_t offset) const {
  if (offset >= next_) return 0;
  if (offset < log_start()) return bytes();
  const size_t i = find(offset);
  if (i == batches_.size()) return 0;
  return appended_bytes_ - batches_[i].bytes_before;
}

int64_t PartitionLog::offset_for_timestamp(int64_t ts) const {
  for (const auto& b : batches_)
    if (b.max_timestamp >= ts) return b.base;
  return next_;
}

Trimmed PartitionLog::trim(int64_t retention_bytes, int64_t retention_ms, int64_t now_ms) {
  Trimmed t;
  while (!batches_.empty()) {
    const StoredBatch& b = batches_.front();
    const bool over_bytes = retention_bytes >= 0 && bytes() > retention_bytes;
    const bool too_old = retention_ms >= 0 && b.append_ms < now_ms - retention_ms;
    if (!over_bytes && !too_old) break;
    t.records += b.last - b.base + 1;
    t.bytes += int64_t(b.size());
    trimmed_bytes_ += int64_t(b.size());
    batches_.pop_front();
  }
  return t;
}

}  // namespace hydra::broker
