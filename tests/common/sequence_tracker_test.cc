#include "common/sequence_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace hydra {
namespace {

// Every stream keeps unique + lost == next - from.
void expect_consistent(const SequenceTracker& t) {
  for (const auto& [key, c] : t.streams()) {
    EXPECT_LE(c.from, c.next) << key.producer << "/" << key.partition;
    EXPECT_EQ(c.unique + c.lost, c.next - c.from) << key.producer << "/" << key.partition;
  }
}

TEST(SequenceTracker, InOrder) {
  SequenceTracker t;
  for (uint64_t s = 0; s < 100; ++s) EXPECT_EQ(t.on_message(1, 0, s), SeqOutcome::kInOrder);
  const auto c = t.stream(1, 0);
  EXPECT_EQ(c.next, 100u);
  EXPECT_EQ(c.unique, 100u);
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ(c.duplicates, 0u);
  EXPECT_EQ(c.reordered, 0u);
  EXPECT_EQ(t.unique(), 100u);
  EXPECT_EQ(t.lost(), 0u);
  EXPECT_EQ(t.unique_in(1, 0, 0, 100), 100u);
}

TEST(SequenceTracker, UnknownStreamIsEmpty) {
  SequenceTracker t;
  const auto c = t.stream(9, 9);
  EXPECT_EQ(c.next, 0u);
  EXPECT_EQ(c.unique, 0u);
  EXPECT_EQ(t.unique_in(9, 9, 0, 100), 0u);
  EXPECT_TRUE(t.streams().empty());
}

TEST(SequenceTracker, GapsCountAsLost) {
  SequenceTracker t;
  EXPECT_EQ(t.on_message(0, 0, 0), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0, 0, 1), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0, 0, 5), SeqOutcome::kGap);  // 2,3,4 lost
  EXPECT_EQ(t.on_message(0, 0, 6), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0, 0, 10), SeqOutcome::kGap);  // 7,8,9 lost
  const auto c = t.stream(0, 0);
  EXPECT_EQ(c.lost, 6u);
  EXPECT_EQ(c.unique, 5u);
  EXPECT_EQ(c.next, 11u);
  EXPECT_EQ(t.unique_in(0, 0, 0, 11), 5u);
  EXPECT_EQ(t.unique_in(0, 0, 2, 5), 0u);
  expect_consistent(t);
}

TEST(SequenceTracker, FirstMessageAheadOfZeroIsAGap) {
  SequenceTracker t;
  EXPECT_EQ(t.on_message(0, 0, 3), SeqOutcome::kGap);
  EXPECT_EQ(t.stream(0, 0).lost, 3u);
}

TEST(SequenceTracker, DuplicatesDoNotMaskLoss) {
  SequenceTracker t;
  t.on_message(0, 0, 0);
  t.on_message(0, 0, 1);
  t.on_message(0, 0, 3);  // 2 lost
  EXPECT_EQ(t.on_message(0, 0, 1), SeqOutcome::kDuplicate);
  EXPECT_EQ(t.on_message(0, 0, 0), SeqOutcome::kDuplicate);
  EXPECT_EQ(t.on_message(0, 0, 3), SeqOutcome::kDuplicate);
  const auto c = t.stream(0, 0);
  // 6 messages arrived for 4 sequences, yet one is still lost.
  EXPECT_EQ(c.lost, 1u);
  EXPECT_EQ(c.duplicates, 3u);
  EXPECT_EQ(c.unique, 3u);
  expect_consistent(t);
}

TEST(SequenceTracker, ReorderedFillsGapsAndIsNoLongerLost) {
  SequenceTracker t;
  t.on_message(0, 0, 0);
  EXPECT_EQ(t.on_message(0, 0, 10), SeqOutcome::kGap);  // missing [1, 10)
  EXPECT_EQ(t.stream(0, 0).lost, 9u);
  // Start, end and middle of the hole, which split it.
  EXPECT_EQ(t.on_message(0, 0, 1), SeqOutcome::kReordered);
  EXPECT_EQ(t.on_message(0, 0, 9), SeqOutcome::kReordered);
  EXPECT_EQ(t.on_message(0, 0, 5), SeqOutcome::kReordered);
  EXPECT_EQ(t.on_message(0, 0, 5), SeqOutcome::kDuplicate);
  EXPECT_EQ(t.on_message(0, 0, 1), SeqOutcome::kDuplicate);
  EXPECT_EQ(t.on_message(0, 0, 9), SeqOutcome::kDuplicate);
  auto c = t.stream(0, 0);
  EXPECT_EQ(c.lost, 6u);  // 2,3,4,6,7,8
  EXPECT_EQ(c.reordered, 3u);
  EXPECT_EQ(c.duplicates, 3u);
  EXPECT_EQ(t.unique_in(0, 0, 2, 9), 1u);  // only 5
  for (uint64_t s : {2, 3, 4, 6, 7, 8}) EXPECT_EQ(t.on_message(0, 0, s), SeqOutcome::kReordered);
  c = t.stream(0, 0);
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ(c.reordered, 9u);
  EXPECT_EQ(c.unique, 11u);
  EXPECT_EQ(t.unique_in(0, 0, 0, 11), 11u);
  expect_consistent(t);
}

TEST(SequenceTracker, ReorderedIntoSingleSlotHole) {
  SequenceTracker t;
  t.on_message(0, 0, 0);
  t.on_message(0, 0, 2);
  EXPECT_EQ(t.on_message(0, 0, 1), SeqOutcome::kReordered);
  EXPECT_EQ(t.on_message(0, 0, 1), SeqOutcome::kDuplicate);
  EXPECT_EQ(t.stream(0, 0).lost, 0u);
}

TEST(SequenceTracker, ProducersAndPartitionsAreIndependent) {
  SequenceTracker t;
  // Interleave three streams; stream (2,1) loses sequence 3, (1,1) gets a
  // duplicate, (1,0) is clean.
  for (uint64_t s = 0; s < 10; ++s) {
    EXPECT_EQ(t.on_message(1, 0, s), SeqOutcome::kInOrder);
    if (s != 3) t.on_message(2, 1, s);
    EXPECT_EQ(t.on_message(1, 1, s), SeqOutcome::kInOrder);
    if (s == 5) {
      EXPECT_EQ(t.on_message(1, 1, 4), SeqOutcome::kDuplicate);
    }
  }
  EXPECT_EQ(t.stream(1, 0).unique, 10u);
  EXPECT_EQ(t.stream(1, 0).lost, 0u);
  EXPECT_EQ(t.stream(2, 1).lost, 1u);
  EXPECT_EQ(t.stream(2, 1).unique, 9u);
  EXPECT_EQ(t.stream(1, 1).duplicates, 1u);
  EXPECT_EQ(t.stream(1, 1).lost, 0u);
  EXPECT_EQ(t.unique(), 29u);
  EXPECT_EQ(t.lost(), 1u);
  EXPECT_EQ(t.duplicates(), 1u);
  EXPECT_EQ(t.reordered(), 0u);

  const auto all = t.streams();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].first, (StreamKey{1, 0}));
  EXPECT_EQ(all[1].first, (StreamKey{1, 1}));
  EXPECT_EQ(all[2].first, (StreamKey{2, 1}));
  expect_consistent(t);
}

TEST(SequenceTracker, ExtremeStreamKeysDoNotCollideWithCache) {
  SequenceTracker t;
  // (0xFFFFFFFF, 0xFFFFFFFF) packs to the same 64-bit value as the empty cache.
  EXPECT_EQ(t.on_message(0xFFFFFFFF, 0xFFFFFFFF, 0), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0xFFFFFFFF, 0xFFFFFFFF, 1), SeqOutcome::kInOrder);
  t.clear();
  EXPECT_EQ(t.on_message(0xFFFFFFFF, 0xFFFFFFFF, 0), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0xFFFFFFFF, 0, 0), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0, 0xFFFFFFFF, 0), SeqOutcome::kInOrder);
  EXPECT_EQ(t.stream(0xFFFFFFFF, 0xFFFFFFFF).unique, 1u);
  EXPECT_EQ(t.streams().size(), 3u);
}

TEST(SequenceTracker, WindowStartIgnoresEarlierSequences) {
  SequenceTracker t;
  t.set_window_start(0, 0, 100);
  EXPECT_EQ(t.stream(0, 0).next, 100u);
  EXPECT_EQ(t.on_message(0, 0, 50), SeqOutcome::kBeforeWindow);
  EXPECT_EQ(t.on_message(0, 0, 99), SeqOutcome::kBeforeWindow);
  EXPECT_EQ(t.on_message(0, 0, 100), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(0, 0, 102), SeqOutcome::kGap);
  EXPECT_EQ(t.on_message(0, 0, 0), SeqOutcome::kBeforeWindow);
  const auto c = t.stream(0, 0);
  EXPECT_EQ(c.from, 100u);
  EXPECT_EQ(c.lost, 1u);  // only 101: nothing before the window is lost
  EXPECT_EQ(c.unique, 2u);
  EXPECT_EQ(c.duplicates, 0u);
  expect_consistent(t);
}

TEST(SequenceTracker, RaisingWindowForgetsHolesAndReceiptsBelowIt) {
  SequenceTracker t;
  for (uint64_t s : {0, 1, 4, 5, 9, 12}) t.on_message(0, 0, s);
  // Missing: [2,4) [6,9) [10,12).
  EXPECT_EQ(t.stream(0, 0).lost, 7u);
  t.set_window_start(0, 0, 7);  // cuts [6,9) to [7,9)
  auto c = t.stream(0, 0);
  EXPECT_EQ(c.from, 7u);
  EXPECT_EQ(c.next, 13u);
  EXPECT_EQ(c.lost, 4u);    // 7, 8, 10, 11
  EXPECT_EQ(c.unique, 2u);  // 9, 12
  EXPECT_EQ(t.on_message(0, 0, 6), SeqOutcome::kBeforeWindow);
  EXPECT_EQ(t.on_message(0, 0, 4), SeqOutcome::kBeforeWindow);
  EXPECT_EQ(t.on_message(0, 0, 8), SeqOutcome::kReordered);
  EXPECT_EQ(t.on_message(0, 0, 9), SeqOutcome::kDuplicate);
  c = t.stream(0, 0);
  EXPECT_EQ(c.lost, 3u);
  EXPECT_EQ(c.unique, 3u);
  EXPECT_EQ(t.unique_in(0, 0, 0, 100), 3u);
  expect_consistent(t);
}

TEST(SequenceTracker, WindowStartAboveNextMovesNext) {
  SequenceTracker t;
  for (uint64_t s = 0; s < 5; ++s) t.on_message(0, 0, s);
  t.on_message(0, 0, 7);  // 5, 6 lost
  t.set_window_start(0, 0, 20);
  auto c = t.stream(0, 0);
  EXPECT_EQ(c.from, 20u);
  EXPECT_EQ(c.next, 20u);
  EXPECT_EQ(c.lost, 0u);
  EXPECT_EQ(c.unique, 0u);
  EXPECT_EQ(t.on_message(0, 0, 10), SeqOutcome::kBeforeWindow);
  EXPECT_EQ(t.on_message(0, 0, 20), SeqOutcome::kInOrder);
  expect_consistent(t);
}

TEST(SequenceTracker, LoweringWindowTreatsTheUnrecordedRangeAsMissing) {
  SequenceTracker t;
  t.set_window_start(0, 0, 10);
  t.on_message(0, 0, 10);
  t.on_message(0, 0, 12);  // 11 missing
  t.set_window_start(0, 0, 5);
  auto c = t.stream(0, 0);
  EXPECT_EQ(c.from, 5u);
  EXPECT_EQ(c.lost, 6u);  // 5..9 never recorded, and 11
  EXPECT_EQ(c.unique, 2u);
  EXPECT_EQ(t.on_message(0, 0, 7), SeqOutcome::kReordered);
  EXPECT_EQ(t.unique_in(0, 0, 5, 13), 3u);
  expect_consistent(t);
}

TEST(SequenceTracker, ResetStartsWindowAtNextExpected) {
  SequenceTracker t;
  for (uint64_t s = 0; s < 10; ++s) t.on_message(0, 0, s);
  t.on_message(0, 0, 12);  // 10, 11 lost during warm-up
  t.on_message(0, 0, 3);   // duplicate during warm-up
  t.on_message(1, 0, 0);
  t.reset();
  EXPECT_EQ(t.lost(), 0u);
  EXPECT_EQ(t.duplicates(), 0u);
  EXPECT_EQ(t.unique(), 0u);
  EXPECT_EQ(t.stream(0, 0).from, 13u);
  EXPECT_EQ(t.stream(0, 0).next, 13u);
  // Late warm-up messages are not counted at all.
  EXPECT_EQ(t.on_message(0, 0, 10), SeqOutcome::kBeforeWindow);
  EXPECT_EQ(t.on_message(0, 0, 13), SeqOutcome::kInOrder);
  EXPECT_EQ(t.on_message(1, 0, 1), SeqOutcome::kInOrder);
  // A stream first seen after reset starts at 0.
  EXPECT_EQ(t.on_message(2, 0, 2), SeqOutcome::kGap);
  EXPECT_EQ(t.stream(2, 0).lost, 2u);
  EXPECT_EQ(t.unique(), 3u);
  expect_consistent(t);
}

TEST(SequenceTracker, ClearForgetsEverything) {
  SequenceTracker t;
  t.on_message(0, 0, 5);
  t.set_window_start(1, 1, 7);
  t.clear();
  EXPECT_TRUE(t.streams().empty());
  EXPECT_EQ(t.on_message(0, 0, 0), SeqOutcome::kInOrder);
  EXPECT_EQ(t.lost(), 0u);
}

TEST(SequenceTracker, UniqueInCountsTailLoss) {
  SequenceTracker t;
  // The publisher sent [0, 100); the last 10 never arrived, so no later
  // message reveals them as a gap.
  for (uint64_t s = 0; s < 90; ++s) t.on_message(0, 0, s);
  EXPECT_EQ(t.lost(), 0u);
  EXPECT_EQ(t.unique_in(0, 0, 0, 100), 90u);
  EXPECT_EQ(t.unique_in(0, 0, 50, 100), 40u);
  EXPECT_EQ(t.unique_in(0, 0, 90, 100), 0u);
  EXPECT_EQ(t.unique_in(0, 0, 95, 90), 0u);  // empty range
}

TEST(SequenceTracker, UniqueInPartialOverlaps) {
  SequenceTracker t;
  t.on_message(0, 0, 0);
  t.set_window_start(0, 0, 10);
  for (uint64_t s : {10, 11, 15, 16, 17, 25, 26}) t.on_message(0, 0, s);
  // Window [10, 27); missing [12,15) and [18,25).
  EXPECT_EQ(t.unique_in(0, 0, 0, 100), 7u);  // wider than everything
  EXPECT_EQ(t.unique_in(0, 0, 0, 12), 2u);   // straddles the window start
  EXPECT_EQ(t.unique_in(0, 0, 5, 10), 0u);   // entirely before the window
  EXPECT_EQ(t.unique_in(0, 0, 13, 16), 1u);  // starts inside a hole
  EXPECT_EQ(t.unique_in(0, 0, 11, 13), 1u);  // ends inside a hole
  EXPECT_EQ(t.unique_in(0, 0, 12, 15), 0u);  // exactly a hole
  EXPECT_EQ(t.unique_in(0, 0, 19, 24), 0u);  // inside a hole
  EXPECT_EQ(t.unique_in(0, 0, 14, 26), 4u);  // spans both holes: 15,16,17,25
  EXPECT_EQ(t.unique_in(0, 0, 26, 40), 1u);  // straddles next
  EXPECT_EQ(t.unique_in(0, 0, 27, 40), 0u);  // beyond next
  EXPECT_EQ(t.unique_in(0, 0, 16, 17), 1u);  // one received sequence
  EXPECT_EQ(t.unique_in(1, 0, 0, 100), 0u);  // another stream
}

// A brute-force model of the documented rules, for randomized comparison.
struct ModelStream {
  uint64_t from = 0, next = 0, duplicates = 0, reordered = 0;
  std::set<uint64_t> received;  // only sequences >= from

  SeqOutcome on_message(uint64_t seq) {
    if (seq < from) return SeqOutcome::kBeforeWindow;
    SeqOutcome out;
    if (seq == next) {
      out = SeqOutcome::kInOrder;
    } else if (seq > next) {
      out = SeqOutcome::kGap;
    } else if (received.count(seq)) {
      ++duplicates;
      return SeqOutcome::kDuplicate;
    } else {
      ++reordered;
      out = SeqOutcome::kReordered;
    }
    received.insert(seq);
    next = std::max(next, seq + 1);
    return out;
  }
  void set_window_start(uint64_t f) {
    received.erase(received.begin(), received.lower_bound(f));
    from = f;
    next = std::max(next, f);
  }
  uint64_t unique() const { return received.size(); }
  uint64_t lost() const { return next - from - unique(); }
  uint64_t unique_in(uint64_t lo, uint64_t hi) const {
    if (lo >= hi) return 0;
    return std::distance(received.lower_bound(lo), received.lower_bound(hi));
  }
};

// A gap that follows a position skip (the reader's offset passed the log
// start) is trimmed; a gap elsewhere, or on another partition, is not.
TEST(SequenceTracker, GapsAfterAPositionSkipAreTrimmed) {
  SequenceTracker t;
  for (uint64_t s = 0; s < 5; ++s) t.on_message(1, 0, s);
  for (uint64_t s = 0; s < 5; ++s) t.on_message(1, 1, s);
  t.on_message(1, 0, 8);  // 5..7: an ordinary gap
  t.position_skipped(0);
  t.on_message(1, 0, 20);  // 9..19: skipped over
  t.on_message(1, 0, 25);  // 21..24: after the skip's first message: a gap again
  t.on_message(1, 1, 9);   // partition 1 was not skipped: 5..8 a gap
  EXPECT_EQ(t.stream(1, 0).lost, 3u + 11u + 4u);
  EXPECT_EQ(t.trimmed_in(1, 0, 0, 26), 11u);
  EXPECT_EQ(t.trimmed_in(1, 0, 12, 15), 3u);  // only the part inside the range
  EXPECT_EQ(t.trimmed_in(1, 1, 0, 10), 0u);
  // One of the skipped sequences arrives after all: no longer trimmed.
  EXPECT_EQ(t.on_message(1, 0, 10), SeqOutcome::kReordered);
  EXPECT_EQ(t.trimmed_in(1, 0, 0, 26), 10u);
  expect_consistent(t);
}

TEST(SequenceTracker, ASkipWithoutAGapTrimsNothing) {
  SequenceTracker t;
  t.on_message(2, 3, 0);
  t.position_skipped(3);
  t.on_message(2, 3, 1);  // in order: the skip passed only other records
  t.on_message(2, 3, 5);  // a later gap is not the skip's
  EXPECT_EQ(t.stream(2, 3).lost, 3u);
  EXPECT_EQ(t.trimmed_in(2, 3, 0, 6), 0u);
}

TEST(SequenceTracker, MatchesModelOnRandomTraffic) {
  std::mt19937_64 rng(1234);
  SequenceTracker t;
  std::map<std::pair<uint32_t, uint32_t>, ModelStream> model;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> sent;  // per-stream publisher cursor
  std::map<SeqOutcome, int> outcomes;
  for (int round = 0; round < 20'000; ++round) {
    const uint32_t producer = uint32_t(rng() % 2);
    const uint32_t partition = uint32_t(rng() % 3);
    auto& m = model[{producer, partition}];
    auto& cursor = sent[{producer, partition}];
    const int action = int(rng() % 100);
    uint64_t seq;
    if (action < 70) {
      seq = cursor++;  // in order
    } else if (action < 80) {
      cursor += 1 + rng() % 5;  // drop some
      seq = cursor++;
    } else if (action < 95) {
      seq = cursor == 0 ? 0 : rng() % cursor;  // late or duplicate
    } else if (action < 99) {
      if (rng() % 4 == 0) {
        const uint64_t f = cursor == 0 ? 0 : rng() % (cursor + 10);
        t.set_window_start(producer, partition, f);
        m.set_window_start(f);
      }
      continue;
    } else {
      if (rng() % 20 == 0) {
        t.reset();
        for (auto& [k, s] : model) {
          s.received.clear();
          s.from = s.next;
          s.duplicates = s.reordered = 0;
        }
      }
      continue;
    }
    const SeqOutcome got = t.on_message(producer, partition, seq);
    ASSERT_EQ(got, m.on_message(seq)) << "round " << round << " seq " << seq;
    ++outcomes[got];
    if (round % 97 == 0) {
      const uint64_t lo = rng() % (cursor + 5), hi = rng() % (cursor + 5);
      ASSERT_EQ(t.unique_in(producer, partition, lo, hi), m.unique_in(lo, hi))
          << "round " << round << " [" << lo << "," << hi << ")";
    }
  }
  uint64_t unique = 0, lost = 0, dups = 0, reordered = 0;
  for (const auto& [k, m] : model) {
    const auto c = t.stream(k.first, k.second);
    EXPECT_EQ(c.from, m.from);
    EXPECT_EQ(c.next, m.next);
    EXPECT_EQ(c.unique, m.unique());
    EXPECT_EQ(c.lost, m.lost());
    EXPECT_EQ(c.duplicates, m.duplicates);
    EXPECT_EQ(c.reordered, m.reordered);
    for (uint64_t lo = 0; lo < m.next + 3; lo += 7) {
      for (uint64_t hi = lo; hi < m.next + 3; hi += 11) {
        ASSERT_EQ(t.unique_in(k.first, k.second, lo, hi), m.unique_in(lo, hi));
      }
    }
    unique += m.unique();
    lost += m.lost();
    dups += m.duplicates;
    reordered += m.reordered;
  }
  EXPECT_EQ(t.unique(), unique);
  EXPECT_EQ(t.lost(), lost);
  EXPECT_EQ(t.duplicates(), dups);
  EXPECT_EQ(t.reordered(), reordered);
  // The traffic exercised every rule.
  EXPECT_GT(outcomes[SeqOutcome::kInOrder], 1000);
  EXPECT_GT(outcomes[SeqOutcome::kGap], 100);
  EXPECT_GT(outcomes[SeqOutcome::kReordered], 100);
  EXPECT_GT(outcomes[SeqOutcome::kDuplicate], 100);
  EXPECT_GT(outcomes[SeqOutcome::kBeforeWindow], 10);
  expect_consistent(t);
}

}  // namespace
}  // namespace hydra
