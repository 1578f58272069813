// Finds loss, duplicates and reordering from per-(producer, partition)
// sequence numbers, as a subscriber client sees them.
//
// Rules (docs/contracts.md "Measurement"): each stream expects its next sequence.
// A jump ahead marks the skipped sequences lost (a gap). A sequence below the
// expected one that is still missing is "reordered" and no longer lost; one
// that was already received is a "duplicate". Loss is never derived from
// counts, so duplicates cannot mask it.
//
// Measured window: set_window_start() makes a stream ignore sequences below
// `from` (messages sent before the warm-up boundary). The controller later
// asks for unique_in() of the publisher's [from, until) range, so messages
// that never arrived at all (a tail loss no later message reveals) are counted
// too.
//
// Threading: not thread-safe; one tracker per subscriber client thread.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

namespace hydra {

enum class SeqOutcome {
  kInOrder,       // the expected next sequence
  kGap,           // ahead of expected: the skipped ones are now lost
  kReordered,     // below expected, was missing: no longer lost
  kDuplicate,     // below expected, already received
  kBeforeWindow,  // below the stream's window start: ignored entirely
};

struct StreamKey {
  uint32_t producer = 0;
  uint32_t partition = 0;
  bool operator==(const StreamKey&) const = default;
  bool operator<(const StreamKey& o) const {
    return producer != o.producer ? producer < o.producer : partition < o.partition;
  }
};

// Per-stream counters (since the last reset).
struct StreamCounts {
  uint64_t from = 0;    // window start: sequences below are ignored
  uint64_t next = 0;    // next expected sequence
  uint64_t unique = 0;  // distinct sequences received in [from, next)
  uint64_t lost = 0;    // sequences in [from, next) still missing
  uint64_t duplicates = 0;
  uint64_t reordered = 0;
};

class SequenceTracker {
 public:
  SeqOutcome on_message(uint32_t producer, uint32_t partition, uint64_t seq);

  // Ignore sequences below `from` on this stream from now on; forgets
  // missing sequences below it. If the stream's next expected is below
  // `from`, it becomes `from` (nothing before the window counts as lost).
  void set_window_start(uint32_t producer, uint32_t partition, uint64_t from);

  // Zeroes duplicates/reordered/unique/lost of every stream and starts each
  // stream's window at its current next expected sequence (the warm-up
  // boundary when the publisher's own window is not known). Streams first
  // seen after this start at sequence 0.
  void reset();

  // Forgets everything (a new run).
  void clear();

  // The reader's position on `partition` jumped over records the broker no
  // longer had (its offset passed below the log start: retention removed
  // them before they were read). The next gap each stream of the partition
  // opens is remembered as skipped, so trimmed_in() can tell a trimmed
  // message from one that never reached the broker.
  void position_skipped(uint32_t partition);

  // Of the sequences in [from, until) still missing, those a skip after
  // position_skipped() passed over.
  uint64_t trimmed_in(uint32_t producer, uint32_t partition, uint64_t from, uint64_t until) const;

  // Distinct sequences received in [from, until) of one stream (sequences
  // below the stream's window start were never recorded and count as absent).
  uint64_t unique_in(uint32_t producer, uint32_t partition, uint64_t from, uint64_t until) const;

  StreamCounts stream(uint32_t producer, uint32_t partition) const;
  std::vector<std::pair<StreamKey, StreamCounts>> streams() const;

  // Sums over streams.
  uint64_t unique() const;
  uint64_t lost() const;
  uint64_t duplicates() const;
  uint64_t reordered() const;

 private:
  struct Stream {
    StreamCounts c;
    // Missing sequences below c.next, as disjoint [start, end) intervals
    // keyed by start. Usually empty, so memory stays small on a clean run.
    std::map<uint64_t, uint64_t> missing;
    // Gaps opened by the first message after a position skip, as
    // [start, end) intervals; counted only where still missing.
    std::map<uint64_t, uint64_t> skipped;
    bool after_skip = false;
  };
  Stream& find_or_add(uint32_t producer, uint32_t partition);
  // The stream and the part of [from, until) it recorded ([*lo, *hi): within
  // its window, below its next expected); nullptr when there is none.
  const Stream* recorded_range(uint32_t producer, uint32_t partition, uint64_t from, uint64_t until,
                               uint64_t* lo, uint64_t* hi) const;

  std::unordered_map<uint64_t, Stream> streams_;
  // Most messages come from the stream seen last; skip the hash lookup then.
  uint64_t last_key_ = ~uint64_t(0);
  Stream* last_ = nullptr;
};

}  // namespace hydra
