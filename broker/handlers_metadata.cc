// Metadata v0-8: live brokers, the controller, and each topic's partitions
// with leader, leader epoch (v7+), replicas and in-sync replicas (the live
// ones: a down broker drops out of the ISR). A topic is created here only
// when the broker's auto_create option is set and the request allows it.
#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

namespace {

void write_topic(RequestContext& ctx, Writer& out, const std::string& name,
                 const std::shared_ptr<Topic>& t, int16_t error) {
  const int16_t v = ctx.api_version;
  out.i16(ctx.forced_error ? ctx.forced_error : error);
  out.string(name);
  if (v >= 1) out.boolean(false);  // is_internal
  if (!t) {
    out.array_len(0);
  } else {
    out.array_len(int32_t(t->partitions.size()));
    for (const auto& p : t->partitions) {
      const int32_t leader = p->leader();
      out.i16(leader < 0 ? err::kLeaderNotAvailable : err::kNone);
      out.i32(p->index());
      out.i32(leader);
      if (v >= 7) out.i32(p->leader_epoch());
      const auto& reps = p->replicas();
      out.array_len(int32_t(reps.size()));
      for (int32_t r : reps) out.i32(r);
      std::vector<int32_t> isr, offline;
      for (int32_t r : reps) (ctx.cluster.broker(r)->up ? isr : offline).push_back(r);
      out.array_len(int32_t(isr.size()));
      for (int32_t r : isr) out.i32(r);
      if (v >= 5) {
        out.array_len(int32_t(offline.size()));
        for (int32_t r : offline) out.i32(r);
      }
    }
  }
  if (v >= 8) out.i32(INT32_MIN);  // topic_authorized_operations: not computed
}

}  // namespace

Outcome handle_metadata(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  const int32_t n = in.array_len(2);
  std::vector<std::string> names;
  for (int32_t i = 0; i < n; ++i) names.push_back(in.string());
  // v0: an empty list means every topic; v1+: null means every topic.
  const bool all = v == 0 ? n == 0 : n < 0;
  bool allow_auto = v < 4;
  if (v >= 4) allow_auto = in.boolean();
  ClusterState& st = ctx.cluster;

  if (v >= 3) out.i32(0);  // throttle_time_ms
  const auto live = st.live_brokers();
  out.array_len(int32_t(live.size()));
  for (int32_t id : live) {
    const BrokerNode* b = st.broker(id);
    out.i32(b->id);
    out.string(b->host);
    out.i32(b->port);
    if (v >= 1) out.null_string();  // rack
  }
  if (v >= 2) out.nullable_string(std::string("hydra-embedded"));
  if (v >= 1) out.i32(st.controller());

  if (all) {
    const auto topics = st.topics();
    out.array_len(int32_t(topics.size()));
    for (const auto& t : topics) write_topic(ctx, out, t->name, t, err::kNone);
  } else {
    out.array_len(int32_t(names.size()));
    for (const auto& name : names) {
      auto t = st.topic(name);
      int16_t e = err::kNone;
      if (!t && allow_auto && st.opts.auto_create) {
        std::string msg;
        e = st.create_topic(name, st.opts.auto_create_partitions, 1, {}, msg);
        if (e == err::kTopicAlreadyExists) e = err::kNone;
        t = st.topic(name);
      } else if (!t) {
        e = topic_name_problem(name).empty() ? err::kUnknownTopicOrPartition : err::kInvalidTopic;
      }
      write_topic(ctx, out, name, t, e);
    }
  }
  if (v >= 8) out.i32(INT32_MIN);  // cluster_authorized_operations
  return Outcome::kRespond;
}

}  // namespace hydra::broker
