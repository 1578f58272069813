// OffsetCommit v0-7 and OffsetFetch v0-5: committed offsets per group,
// kept by broker/group_coordinator.h.
#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

namespace {
int16_t coordinator_error(RequestContext& ctx, const std::string& group) {
  if (ctx.forced_error) return ctx.forced_error;
  const int32_t c = ctx.cluster.coordinator_for(group);
  if (c < 0) return err::kCoordinatorNotAvailable;
  return c == ctx.broker.id ? err::kNone : err::kNotCoordinator;
}
}  // namespace

Outcome handle_offset_commit(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const std::string group = in.string();
  int32_t generation = -1;
  std::string member;
  if (v >= 1) {
    generation = in.i32();
    member = in.string();
  }
  if (v >= 7) in.nullable_string();  // group_instance_id
  if (v >= 2 && v <= 4) in.i64();    // retention_time_ms: offsets are kept
  int16_t e = coordinator_error(ctx, group);
  if (!e) e = ctx.cluster.groups.check_commit(group, generation, member);
  if (v >= 3) out.i32(0);
  const int32_t nt = in.array_len(6);
  out.array_len(std::max(nt, 0));
  for (int32_t i = 0; i < nt; ++i) {
    const std::string name = in.string();
    auto t = ctx.cluster.topic(name);
    out.string(name);
    const int32_t np = in.array_len(14);
    out.array_len(std::max(np, 0));
    for (int32_t j = 0; j < np; ++j) {
      const int32_t index = in.i32();
      const int64_t offset = in.i64();
      if (v >= 6) in.i32();  // committed_leader_epoch
      if (v == 1) in.i64();  // commit_timestamp
      auto md = in.nullable_string();
      int16_t pe = e;
      if (!pe && (!t || index < 0 || index >= int32_t(t->partitions.size())))
        pe = err::kUnknownTopicOrPartition;
      if (!pe) ctx.cluster.groups.commit(group, name, index, offset, std::move(md));
      out.i32(index);
      out.i16(pe);
    }
  }
  return Outcome::kRespond;
}

Outcome handle_offset_fetch(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const std::string group = in.string();
  const int16_t e = coordinator_error(ctx, group);
  std::vector<std::pair<std::string, std::vector<int32_t>>> asked;
  const int32_t nt = in.array_len(6);
  for (int32_t i = 0; i < nt; ++i) {
    std::string name = in.string();
    std::vector<int32_t> parts;
    const int32_t np = in.array_len(4);
    for (int32_t j = 0; j < np; ++j) parts.push_back(in.i32());
    asked.emplace_back(std::move(name), std::move(parts));
  }
  std::vector<std::pair<std::string, std::vector<GroupCoordinator::Committed>>> answer;
  if (nt < 0 && !e) {
    // Null topics (v2+): everything the group committed.
    for (auto& c : ctx.cluster.groups.committed_all(group)) {
      if (answer.empty() || answer.back().first != c.topic) answer.push_back({c.topic, {}});
      answer.back().second.push_back(std::move(c));
    }
  } else {
    for (const auto& [name, parts] : asked) {
      std::vector<GroupCoordinator::Committed> cs;
      for (int32_t p : parts) {
        auto c = e ? std::nullopt : ctx.cluster.groups.committed(group, name, p);
        cs.push_back(c ? *c : GroupCoordinator::Committed{name, p, -1, std::string()});
      }
      answer.emplace_back(name, std::move(cs));
    }
  }
  if (v >= 3) out.i32(0);
  out.array_len(int32_t(answer.size()));
  for (const auto& [name, cs] : answer) {
    out.string(name);
    out.array_len(int32_t(cs.size()));
    for (const auto& c : cs) {
      out.i32(c.partition);
      out.i64(c.offset);
      if (v >= 5) out.i32(-1);  // committed_leader_epoch: not tracked
      out.nullable_string(c.metadata);
      // Before v2 there is no top-level error: it goes on each partition.
      out.i16(v < 2 ? e : err::kNone);
    }
  }
  if (v >= 2) out.i16(e);
  return Outcome::kRespond;
}

}  // namespace hydra::broker
