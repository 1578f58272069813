// Consumer groups with client-side assignment, as Kafka runs them: members
// join, the coordinator waits until every known member has (re)joined or
// the rebalance timeout passed, picks a protocol all members support,
// hands the member list to the leader, and hands the leader's assignments
// out at SyncGroup. Session timeouts remove silent members and start a
// rebalance. Committed offsets are kept per group. One coordinator serves
// every broker of a Cluster (its state is in this process); handlers
// (broker/handlers_group.cc, handlers_offsets.cc) call it and a timer
// thread here expires sessions and rebalance deadlines.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hydra::broker {

class GroupCoordinator {
 public:
  using Clock = std::chrono::steady_clock;
  using Bytes = std::string;

  explicit GroupCoordinator(int initial_rebalance_delay_ms);
  ~GroupCoordinator();

  struct JoinRequest {
    std::string group, member_id, client_id, protocol_type;
    int32_t session_timeout_ms = 0, rebalance_timeout_ms = 0;
    std::vector<std::pair<std::string, Bytes>> protocols;
  };
  struct JoinResult {
    int16_t error = 0;
    int32_t generation = -1;
    std::string protocol, leader, member_id;
    std::vector<std::pair<std::string, Bytes>> members;  // the leader's only
  };
  using JoinCallback = std::function<void(const JoinResult&)>;
  using SyncCallback = std::function<void(int16_t error, const Bytes& assignment)>;

  // `done` runs exactly once, at once or when the rebalance completes, on
  // the caller's thread or the coordinator's timer thread, never under a
  // coordinator lock.
  void join(const JoinRequest& r, JoinCallback done);
  void sync(const std::string& group, int32_t generation, const std::string& member,
            std::vector<std::pair<std::string, Bytes>> assignments, SyncCallback done);
  int16_t heartbeat(const std::string& group, int32_t generation, const std::string& member);
  int16_t leave(const std::string& group, const std::string& member);

  // Whether a commit from (generation, member) is accepted; generation < 0
  // is a commit from outside the group protocol (always accepted).
  int16_t check_commit(const std::string& group, int32_t generation, const std::string& member);
  void commit(const std::string& group, const std::string& topic, int32_t partition, int64_t offset,
              std::optional<std::string> metadata);
  struct Committed {
    std::string topic;
    int32_t partition;
    int64_t offset;
    std::optional<std::string> metadata;
  };
  std::optional<Committed> committed(const std::string& group, const std::string& topic,
                                     int32_t partition) const;
  std::vector<Committed> committed_all(const std::string& group) const;

 private:
  enum class State { kEmpty, kPreparing, kCompleting, kStable };
  struct Member {
    std::string id, client_id;
    int32_t session_timeout_ms = 0, rebalance_timeout_ms = 0;
    std::vector<std::pair<std::string, Bytes>> protocols;
    JoinCallback join_cb;
    SyncCallback sync_cb;
    Bytes assignment;
    Clock::time_point last_seen;
  };
  struct Group {
    State state = State::kEmpty;
    int32_t generation = 0;
    std::string protocol_type, protocol, leader;
    std::map<std::string, Member> members;
    Clock::time_point rebalance_deadline, not_before;
  };
  using Pending = std::vector<std::function<void()>>;

  void prepare_rebalance(Group& g, Pending& out);
  void maybe_complete_join(Group& g, Pending& out, bool deadline_passed);
  void remove_member(Group& g, const std::string& id, Pending& out);
  void tick();

  const int initial_delay_ms_;
  mutable std::mutex mu_;
  std::map<std::string, Group> groups_;
  std::map<std::string, std::map<std::pair<std::string, int32_t>, Committed>> offsets_;
  uint64_t next_member_ = 1;

  std::condition_variable cv_;
  bool stop_ = false;
  std::thread timer_;
};

}  // namespace hydra::broker
