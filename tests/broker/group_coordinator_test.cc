// The group coordinator without the network: joins complete when every
// known member has (re)joined, the leader's assignments are handed out at
// SyncGroup, silent members are removed after their session timeout, and a
// new group waits for the configured initial rebalance delay.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "broker/group_coordinator.h"
#include "broker/protocol.h"

namespace hydra::broker {
namespace {

using namespace std::chrono_literals;
using JoinResult = GroupCoordinator::JoinResult;

GroupCoordinator::JoinRequest request(const std::string& member, int session_ms = 10000) {
  GroupCoordinator::JoinRequest r;
  r.group = "g";
  r.member_id = member;
  r.client_id = "c";
  r.protocol_type = "consumer";
  r.session_timeout_ms = session_ms;
  r.rebalance_timeout_ms = 5000;
  r.protocols = {{"range", "meta-" + member}};
  return r;
}

// Joins and returns a future for the result.
std::future<JoinResult> join(GroupCoordinator& gc, const GroupCoordinator::JoinRequest& r) {
  auto p = std::make_shared<std::promise<JoinResult>>();
  auto f = p->get_future();
  gc.join(r, [p](const JoinResult& res) { p->set_value(res); });
  return f;
}

std::future<std::pair<int16_t, std::string>> sync(
    GroupCoordinator& gc, int32_t gen, const std::string& member,
    std::vector<std::pair<std::string, std::string>> assignments = {}) {
  auto p = std::make_shared<std::promise<std::pair<int16_t, std::string>>>();
  auto f = p->get_future();
  gc.sync("g", gen, member, std::move(assignments), [p](int16_t e, const std::string& a) {
    p->set_value({e, a});
  });
  return f;
}

TEST(GroupCoordinator, LoneMemberBecomesLeaderAtOnce) {
  GroupCoordinator gc(0);
  auto f = join(gc, request(""));
  ASSERT_EQ(f.wait_for(2s), std::future_status::ready);
  const JoinResult r = f.get();
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.generation, 1);
  EXPECT_EQ(r.protocol, "range");
  EXPECT_EQ(r.leader, r.member_id);
  ASSERT_EQ(r.members.size(), 1u);
  auto s = sync(gc, 1, r.member_id, {{r.member_id, "all-partitions"}});
  ASSERT_EQ(s.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(s.get(), std::make_pair(int16_t(0), std::string("all-partitions")));
  EXPECT_EQ(gc.heartbeat("g", 1, r.member_id), 0);
  EXPECT_EQ(gc.heartbeat("g", 7, r.member_id), err::kIllegalGeneration);
  EXPECT_EQ(gc.heartbeat("g", 1, "stranger"), err::kUnknownMemberId);
}

TEST(GroupCoordinator, SecondMemberTriggersARebalanceAndGetsItsAssignment) {
  GroupCoordinator gc(0);
  const JoinResult a = join(gc, request("")).get();
  sync(gc, 1, a.member_id, {{a.member_id, "p0,p1"}}).get();
  auto fb = join(gc, request(""));
  EXPECT_EQ(fb.wait_for(200ms), std::future_status::timeout) << "waits for the known member";
  EXPECT_EQ(gc.heartbeat("g", 1, a.member_id), err::kRebalanceInProgress);
  auto fa = join(gc, request(a.member_id));
  ASSERT_EQ(fa.wait_for(2s), std::future_status::ready);
  ASSERT_EQ(fb.wait_for(2s), std::future_status::ready);
  const JoinResult a2 = fa.get(), b = fb.get();
  EXPECT_EQ(a2.generation, 2);
  EXPECT_EQ(b.generation, 2);
  EXPECT_EQ(a2.leader, a.member_id) << "the leader stays";
  EXPECT_EQ(a2.members.size(), 2u);
  EXPECT_TRUE(b.members.empty()) << "only the leader gets the member list";
  auto sb = sync(gc, 2, b.member_id);
  EXPECT_EQ(sb.wait_for(200ms), std::future_status::timeout) << "waits for the leader";
  auto sa = sync(gc, 2, a.member_id, {{a.member_id, "p0"}, {b.member_id, "p1"}});
  ASSERT_EQ(sb.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(sb.get().second, "p1");
  EXPECT_EQ(sa.get().second, "p0");
  EXPECT_EQ(gc.leave("g", b.member_id), 0);
  EXPECT_EQ(gc.heartbeat("g", 2, a.member_id), err::kRebalanceInProgress);
}

TEST(GroupCoordinator, SilentMemberIsRemovedAfterItsSessionTimeout) {
  GroupCoordinator gc(0);
  const JoinResult a = join(gc, request("", 300)).get();
  sync(gc, 1, a.member_id, {{a.member_id, "x"}}).get();
  EXPECT_EQ(gc.heartbeat("g", 1, a.member_id), 0);
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(gc.heartbeat("g", 1, a.member_id), err::kUnknownMemberId);
}

TEST(GroupCoordinator, InitialRebalanceDelay) {
  GroupCoordinator gc(400);
  auto f = join(gc, request(""));
  EXPECT_EQ(f.wait_for(200ms), std::future_status::timeout);
  ASSERT_EQ(f.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(f.get().generation, 1);
}

TEST(GroupCoordinator, CommitsNeedTheCurrentGeneration) {
  GroupCoordinator gc(0);
  const JoinResult a = join(gc, request("")).get();
  sync(gc, 1, a.member_id, {{a.member_id, "x"}}).get();
  EXPECT_EQ(gc.check_commit("g", 1, a.member_id), 0);
  EXPECT_EQ(gc.check_commit("g", 0, a.member_id), err::kIllegalGeneration);
  EXPECT_EQ(gc.check_commit("g", 1, "stranger"), err::kUnknownMemberId);
  EXPECT_EQ(gc.check_commit("other", -1, ""), 0) << "commits outside the group protocol";
  gc.commit("g", "t", 3, 42, std::string("md"));
  const auto c = gc.committed("g", "t", 3);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->offset, 42);
  EXPECT_EQ(c->metadata, "md");
  EXPECT_FALSE(gc.committed("g", "t", 4).has_value());
}

}  // namespace
}  // namespace hydra::broker
