#include "broker/protocol.h"

namespace hydra::broker {

const std::vector<ApiRange>& supported_apis() {
  // The highest non-flexible version of each request (the first flexible
  // versions are Produce 9, Fetch 12, ListOffsets 6, Metadata 9,
  // OffsetCommit 8, OffsetFetch 6, FindCoordinator 3, JoinGroup 6,
  // Heartbeat/LeaveGroup/SyncGroup 4, ApiVersions 3, CreateTopics 5,
  // DeleteTopics 4, InitProducerId 2). Produce starts at 3 and Fetch at 4:
  // the log stores only v2 record batches, which older versions cannot carry.
  static const std::vector<ApiRange> v = {
      {api::kProduce, 3, 8},         {api::kFetch, 4, 11},       {api::kListOffsets, 0, 5},
      {api::kMetadata, 0, 8},        {api::kOffsetCommit, 0, 7}, {api::kOffsetFetch, 0, 5},
      {api::kFindCoordinator, 0, 2}, {api::kJoinGroup, 0, 5},    {api::kHeartbeat, 0, 3},
      {api::kLeaveGroup, 0, 3},      {api::kSyncGroup, 0, 3},    {api::kApiVersions, 0, 2},
      {api::kCreateTopics, 0, 4},    {api::kDeleteTopics, 0, 3}, {api::kInitProducerId, 0, 1},
  };
  return v;
}

const ApiRange* find_api(int16_t key) {
  for (const auto& r : supported_apis())
    if (r.key == key) return &r;
  return nullptr;
}

}  // namespace hydra::broker
