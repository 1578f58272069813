// Kafka API keys, error codes and the version ranges this broker serves.
// Only non-flexible versions are served (no tagged fields): a client asking
// a higher version of ApiVersions gets UNSUPPORTED_VERSION with this list
// and retries lower, as the Kafka protocol specifies.
#pragma once

#include <cstdint>
#include <vector>

namespace hydra::broker {

namespace api {
constexpr int16_t kProduce = 0;
constexpr int16_t kFetch = 1;
constexpr int16_t kListOffsets = 2;
constexpr int16_t kMetadata = 3;
constexpr int16_t kOffsetCommit = 8;
constexpr int16_t kOffsetFetch = 9;
constexpr int16_t kFindCoordinator = 10;
constexpr int16_t kJoinGroup = 11;
constexpr int16_t kHeartbeat = 12;
constexpr int16_t kLeaveGroup = 13;
constexpr int16_t kSyncGroup = 14;
constexpr int16_t kApiVersions = 18;
constexpr int16_t kCreateTopics = 19;
constexpr int16_t kDeleteTopics = 20;
constexpr int16_t kInitProducerId = 22;
}  // namespace api

namespace err {
constexpr int16_t kUnknownServerError = -1;
constexpr int16_t kNone = 0;
constexpr int16_t kOffsetOutOfRange = 1;
constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kLeaderNotAvailable = 5;
constexpr int16_t kNotLeaderOrFollower = 6;
constexpr int16_t kRequestTimedOut = 7;
constexpr int16_t kCoordinatorNotAvailable = 15;
constexpr int16_t kNotCoordinator = 16;
constexpr int16_t kInvalidTopic = 17;
constexpr int16_t kRecordListTooLarge = 18;
constexpr int16_t kIllegalGeneration = 22;
constexpr int16_t kInconsistentGroupProtocol = 23;
constexpr int16_t kInvalidGroupId = 24;
constexpr int16_t kUnknownMemberId = 25;
constexpr int16_t kInvalidSessionTimeout = 26;
constexpr int16_t kRebalanceInProgress = 27;
constexpr int16_t kUnsupportedVersion = 35;
constexpr int16_t kTopicAlreadyExists = 36;
constexpr int16_t kInvalidPartitions = 37;
constexpr int16_t kInvalidReplicationFactor = 38;
constexpr int16_t kInvalidConfig = 40;
constexpr int16_t kInvalidRequest = 42;
constexpr int16_t kUnsupportedForMessageFormat = 43;
constexpr int16_t kOutOfOrderSequenceNumber = 45;
constexpr int16_t kDuplicateSequenceNumber = 46;
constexpr int16_t kInvalidProducerEpoch = 47;
constexpr int16_t kKafkaStorageError = 56;
constexpr int16_t kUnknownProducerId = 59;
}  // namespace err

struct ApiRange {
  int16_t key, min, max;
};

// The ranges advertised through ApiVersions; a request outside them is
// answered by closing the connection (Kafka does the same).
const std::vector<ApiRange>& supported_apis();
// The range for `key`, or nullptr when the key is not served.
const ApiRange* find_api(int16_t key);

}  // namespace hydra::broker
