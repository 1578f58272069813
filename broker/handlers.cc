#include "broker/handlers.h"

#include "broker/protocol.h"

namespace hydra::broker {

Handler handler_for(int16_t key) {
  switch (key) {
    case api::kProduce:
      return handle_produce;
    case api::kFetch:
      return handle_fetch;
    case api::kListOffsets:
      return handle_list_offsets;
    case api::kMetadata:
      return handle_metadata;
    case api::kOffsetCommit:
      return handle_offset_commit;
    case api::kOffsetFetch:
      return handle_offset_fetch;
    case api::kFindCoordinator:
      return handle_find_coordinator;
    case api::kJoinGroup:
      return handle_join_group;
    case api::kHeartbeat:
      return handle_heartbeat;
    case api::kLeaveGroup:
      return handle_leave_group;
    case api::kSyncGroup:
      return handle_sync_group;
    case api::kApiVersions:
      return handle_api_versions;
    case api::kCreateTopics:
      return handle_create_topics;
    case api::kDeleteTopics:
      return handle_delete_topics;
    case api::kInitProducerId:
      return handle_init_producer_id;
  }
  return nullptr;  // never: find_api() filtered the key
}

}  // namespace hydra::broker
