// FindCoordinator v0-2, JoinGroup v0-5, SyncGroup v0-3, Heartbeat v0-3,
// LeaveGroup v0-3 over broker/group_coordinator.h. A group request to a
// broker that does not coordinate the group gets NOT_COORDINATOR.
#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

namespace {

// The error for a group request reaching this broker, before the group
// itself is consulted.
int16_t gate(RequestContext& ctx, const std::string& group) {
  if (ctx.forced_error) return ctx.forced_error;
  const int32_t c = ctx.cluster.coordinator_for(group);
  if (c < 0) return err::kCoordinatorNotAvailable;
  if (c != ctx.broker.id) return err::kNotCoordinator;
  return err::kNone;
}

}  // namespace

Outcome handle_find_coordinator(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const std::string key = in.string();
  int8_t key_type = 0;
  if (v >= 1) key_type = in.i8();
  int16_t e = ctx.forced_error;
  const BrokerNode* b = nullptr;
  if (!e) {
    const int32_t id = key_type == 0 ? ctx.cluster.coordinator_for(key) : -1;
    b = id > 0 ? ctx.cluster.broker(id) : nullptr;
    // Transactions (key type 1) are not served here.
    if (!b) e = err::kCoordinatorNotAvailable;
  }
  if (v >= 1) out.i32(0);  // throttle_time_ms
  out.i16(e);
  if (v >= 1) {
    if (e)
      out.nullable_string(
          std::string(key_type == 0 ? "no live broker" : "transactions are not supported"));
    else
      out.null_string();
  }
  out.i32(b ? b->id : -1);
  out.string(b ? b->host : "");
  out.i32(b ? b->port : -1);
  return Outcome::kRespond;
}

Outcome handle_join_group(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  GroupCoordinator::JoinRequest r;
  r.group = in.string();
  r.session_timeout_ms = in.i32();
  r.rebalance_timeout_ms = v >= 1 ? in.i32() : r.session_timeout_ms;
  r.member_id = in.string();
  if (v >= 5) in.nullable_string();  // group_instance_id: static membership not served
  r.protocol_type = in.string();
  const int32_t n = in.array_len(6);
  for (int32_t i = 0; i < n; ++i) {
    std::string name = in.string();
    r.protocols.emplace_back(std::move(name), std::string(in.bytes()));
  }
  r.client_id = ctx.client_id;

  auto write = [v](Writer& w, const GroupCoordinator::JoinResult& res) {
    if (v >= 2) w.i32(0);  // throttle_time_ms
    w.i16(res.error);
    w.i32(res.generation);
    w.string(res.protocol);
    w.string(res.leader);
    w.string(res.member_id);
    w.array_len(int32_t(res.members.size()));
    for (const auto& [id, md] : res.members) {
      w.string(id);
      if (v >= 5) w.null_string();
      w.bytes(md);
    }
  };
  if (int16_t e = gate(ctx, r.group)) {
    GroupCoordinator::JoinResult res;
    res.error = e;
    res.member_id = r.member_id;
    write(out, res);
    return Outcome::kRespond;
  }
  auto resp = ctx.park();
  ctx.cluster.groups.join(r, [resp, write](const GroupCoordinator::JoinResult& res) {
    Writer w = Responder::begin();
    write(w, res);
    resp->send(std::move(w));
  });
  return Outcome::kParked;
}

Outcome handle_sync_group(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const std::string group = in.string();
  const int32_t generation = in.i32();
  const std::string member = in.string();
  if (v >= 3) in.nullable_string();  // group_instance_id
  std::vector<std::pair<std::string, std::string>> assignments;
  const int32_t n = in.array_len(6);
  for (int32_t i = 0; i < n; ++i) {
    std::string id = in.string();
    assignments.emplace_back(std::move(id), std::string(in.bytes()));
  }
  auto write = [v](Writer& w, int16_t e, const std::string& a) {
    if (v >= 1) w.i32(0);  // throttle_time_ms
    w.i16(e);
    w.bytes(a);
  };
  if (int16_t e = gate(ctx, group)) {
    write(out, e, {});
    return Outcome::kRespond;
  }
  auto resp = ctx.park();
  ctx.cluster.groups.sync(group, generation, member, std::move(assignments),
                          [resp, write](int16_t e, const std::string& a) {
                            Writer w = Responder::begin();
                            write(w, e, a);
                            resp->send(std::move(w));
                          });
  return Outcome::kParked;
}

Outcome handle_heartbeat(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const std::string group = in.string();
  const int32_t generation = in.i32();
  const std::string member = in.string();
  if (v >= 3) in.nullable_string();  // group_instance_id
  int16_t e = gate(ctx, group);
  if (!e) e = ctx.cluster.groups.heartbeat(group, generation, member);
  if (v >= 1) out.i32(0);
  out.i16(e);
  return Outcome::kRespond;
}

Outcome handle_leave_group(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const std::string group = in.string();
  std::vector<std::string> members;
  if (v <= 2) {
    members.push_back(in.string());
  } else {
    const int32_t n = in.array_len(4);
    for (int32_t i = 0; i < n; ++i) {
      members.push_back(in.string());
      in.nullable_string();  // group_instance_id
    }
  }
  const int16_t gate_error = gate(ctx, group);
  std::vector<int16_t> errors;
  for (const auto& m : members)
    errors.push_back(gate_error ? gate_error : ctx.cluster.groups.leave(group, m));
  if (v >= 1) out.i32(0);
  if (v <= 2) {
    out.i16(errors.empty() ? gate_error : errors.front());
  } else {
    out.i16(gate_error);
    out.array_len(int32_t(members.size()));
    for (size_t i = 0; i < members.size(); ++i) {
      out.string(members[i]);
      out.null_string();
      out.i16(errors[i]);
    }
  }
  return Outcome::kRespond;
}

}  // namespace hydra::broker
