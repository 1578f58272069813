// ListOffsets v0-5: earliest (-2) and latest (-1) offsets, and the first
// batch at or after a timestamp for other values.
#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

Outcome handle_list_offsets(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  in.i32();             // replica_id
  if (v >= 2) in.i8();  // isolation_level
  struct Part {
    int32_t index;
    int16_t error = 0;
    int64_t offset = -1;
    int64_t timestamp = -1;
    int32_t epoch = -1;
  };
  std::vector<std::pair<std::string, std::vector<Part>>> topics;
  const int32_t nt = in.array_len(6);
  for (int32_t i = 0; i < nt; ++i) {
    std::string name = in.string();
    auto t = ctx.cluster.topic(name);
    std::vector<Part> parts;
    const int32_t np = in.array_len(12);
    for (int32_t j = 0; j < np; ++j) {
      Part pr{in.i32()};
      if (v >= 4) in.i32();  // current_leader_epoch
      const int64_t ts = in.i64();
      if (v == 0) in.i32();  // max_num_offsets
      std::shared_ptr<Partition> p;
      if (t && pr.index >= 0 && pr.index < int32_t(t->partitions.size()))
        p = t->partitions[size_t(pr.index)];
      if (ctx.forced_error)
        pr.error = ctx.forced_error;
      else if (!p)
        pr.error = err::kUnknownTopicOrPartition;
      else if (p->leader() != ctx.broker.id)
        pr.error = err::kNotLeaderOrFollower;
      else {
        pr.offset = ts == -2   ? p->log_start()
                    : ts == -1 ? p->high_watermark()
                               : p->offset_for_timestamp(ts);
        pr.epoch = p->leader_epoch();
      }
      parts.push_back(pr);
    }
    topics.emplace_back(std::move(name), std::move(parts));
  }
  if (v >= 2) out.i32(0);  // throttle_time_ms
  out.array_len(int32_t(topics.size()));
  for (const auto& [name, parts] : topics) {
    out.string(name);
    out.array_len(int32_t(parts.size()));
    for (const auto& p : parts) {
      out.i32(p.index);
      out.i16(p.error);
      if (v == 0) {
        out.array_len(p.error ? 0 : 1);
        if (!p.error) out.i64(p.offset);
      } else {
        out.i64(p.timestamp);
        out.i64(p.offset);
        if (v >= 4) out.i32(p.epoch);
      }
    }
  }
  return Outcome::kRespond;
}

}  // namespace hydra::broker
