// A shared consumer group's rebalances, from its members' pauses
// (ConsumerDriver::paused_spans, agents/transport.h): the group is paused
// while any member is between losing its partitions and getting new ones,
// so overlapping member pauses are one rebalance. Called by the subscriber
// (agents/subscriber.cc) for each group's stats entry.
#pragma once

#include <cstdint>
#include <vector>

#include "agents/transport.h"

namespace hydra {

struct GroupPauses {
  int count = 0;         // rebalances: disjoint paused spans
  int64_t total_ns = 0;  // their summed length
  int64_t max_ns = 0;    // the longest
};

// The union of `spans` that start at or after `from_ns` (the measured
// window's start); a span still open ends at `now_ns`.
GroupPauses merge_pauses(std::vector<PausedSpan> spans, int64_t from_ns, int64_t now_ns);

}  // namespace hydra
