// CreateTopics v0-4 and DeleteTopics v0-3, and InitProducerId v0-1 for the
// idempotent producer (a transactional id is refused: transactions are
// served by the mock broker kind only).
#include <charconv>

#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

// Parses "retention.bytes"/"retention.ms"; other keys are accepted and
// ignored (clients such as kafka-python send defaults), but a compacted
// topic is refused: this broker keeps every record, so a compaction test
// would silently measure something else.
std::string apply_topic_config(TopicConfig& c, const std::string& key,
                               const std::optional<std::string>& value) {
  if (key == "cleanup.policy" && value && *value != "delete")
    return "cleanup.policy '" + *value +
           "' is not supported (the hydra broker does not compact; use a real cluster)";
  int64_t* slot = key == "retention.bytes" ? &c.retention_bytes
                  : key == "retention.ms"  ? &c.retention_ms
                                           : nullptr;
  if (!slot || !value) return "";
  int64_t v = 0;
  auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
  if (ec != std::errc() || p != value->data() + value->size())
    return key + " must be an integer, got '" + *value + "'";
  *slot = v;
  return "";
}

Outcome handle_create_topics(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  struct Req {
    std::string name;
    int32_t partitions;
    int16_t replication;
    TopicConfig config;
    std::string config_error;
    bool explicit_assignment = false;
  };
  std::vector<Req> reqs;
  const int32_t n = in.array_len(14);
  for (int32_t i = 0; i < n; ++i) {
    Req r;
    r.name = in.string();
    r.partitions = in.i32();
    r.replication = in.i16();
    const int32_t na = in.array_len(8);
    for (int32_t j = 0; j < na; ++j) {
      in.i32();
      const int32_t nb = in.array_len(4);
      for (int32_t k = 0; k < nb; ++k) in.i32();
      r.explicit_assignment = true;
    }
    const int32_t nc = in.array_len(4);
    for (int32_t j = 0; j < nc; ++j) {
      const std::string key = in.string();
      const auto value = in.nullable_string();
      if (r.config_error.empty()) r.config_error = apply_topic_config(r.config, key, value);
    }
    reqs.push_back(std::move(r));
  }
  in.i32();  // timeout_ms: creation is immediate
  const bool validate_only = v >= 1 ? in.boolean() : false;
  const BrokerNode* ctl = ctx.cluster.broker(ctx.cluster.controller());

  if (v >= 2) out.i32(0);
  out.array_len(int32_t(reqs.size()));
  for (const auto& r : reqs) {
    int16_t e = ctx.forced_error;
    std::string msg;
    if (!e && ctl != &ctx.broker) {
      e = 41;  // NOT_CONTROLLER
      msg = "this broker is not the controller";
    } else if (!e && r.explicit_assignment) {
      e = err::kInvalidRequest;
      msg = "explicit replica assignments are not supported";
    } else if (!e && !r.config_error.empty()) {
      e = err::kInvalidConfig;
      msg = r.config_error;
    } else if (!e) {
      // -1 asks for the broker default (one partition, replication one).
      const int parts = r.partitions < 0 ? 1 : r.partitions;
      const int repl = r.replication < 0 ? 1 : r.replication;
      if (validate_only) {
        if (ctx.cluster.topic(r.name)) e = err::kTopicAlreadyExists;
      } else {
        e = ctx.cluster.create_topic(r.name, parts, repl, r.config, msg);
      }
    }
    out.string(r.name);
    out.i16(e);
    if (v >= 1) {
      if (e && !msg.empty())
        out.nullable_string(msg);
      else
        out.null_string();
    }
  }
  return Outcome::kRespond;
}

Outcome handle_delete_topics(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  std::vector<std::string> names;
  const int32_t n = in.array_len(2);
  for (int32_t i = 0; i < n; ++i) names.push_back(in.string());
  in.i32();  // timeout_ms
  const BrokerNode* ctl = ctx.cluster.broker(ctx.cluster.controller());
  if (v >= 1) out.i32(0);
  out.array_len(int32_t(names.size()));
  for (const auto& name : names) {
    int16_t e = ctx.forced_error;
    if (!e && ctl != &ctx.broker) e = 41;  // NOT_CONTROLLER
    if (!e) e = ctx.cluster.delete_topic(name);
    out.string(name);
    out.i16(e);
  }
  return Outcome::kRespond;
}

Outcome handle_init_producer_id(RequestContext& ctx, Reader& in, Writer& out) {
  const auto txn = in.nullable_string();
  in.i32();  // transaction_timeout_ms
  int16_t e = ctx.forced_error;
  if (!e && txn) e = err::kInvalidRequest;  // transactions: use the mock kind
  out.i32(0);
  out.i16(e);
  out.i64(e ? -1 : ctx.cluster.next_producer_id++);
  out.i16(e ? -1 : 0);
  return Outcome::kRespond;
}

}  // namespace hydra::broker
