// Produce v3-8. Batches are stored as received with their base offset
// assigned (broker/partition.h). acks=0 gets no response; acks=1 and
// acks=all are both answered after the append: followers share the
// leader's memory, so they "have" the batch at append — there is no
// replication delay to wait for, and none is pretended.
#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"
#include "broker/record_batch.h"

namespace hydra::broker {

namespace {

constexpr int16_t kInvalidRequiredAcks = 21;

struct PartResult {
  int32_t index;
  int16_t error = 0;
  int64_t base_offset = -1;
  int64_t log_start = -1;
};

PartResult produce_one(RequestContext& ctx, const std::shared_ptr<Topic>& t, int32_t index,
                       std::optional<std::string_view> records, int16_t acks) {
  PartResult r{index};
  if (ctx.forced_error) {
    r.error = ctx.forced_error;
    return r;
  }
  if (acks != 0 && acks != 1 && acks != -1) {
    r.error = kInvalidRequiredAcks;
    return r;
  }
  if (!t || index < 0 || index >= int32_t(t->partitions.size())) {
    r.error = err::kUnknownTopicOrPartition;
    return r;
  }
  Partition& p = *t->partitions[size_t(index)];
  if (p.leader() != ctx.broker.id) {
    r.error = err::kNotLeaderOrFollower;
    return r;
  }
  if (!records || records->empty()) {
    r.error = err::kInvalidRequest;
    return r;
  }
  std::vector<std::string_view> batches;
  try {
    batches = split_batches(*records);
  } catch (const CodecError&) {
    r.error = err::kCorruptMessage;
    return r;
  }
  const int64_t now = wall_ms();
  for (auto b : batches) {
    BatchHeader h;
    try {
      h = parse_batch_header(b);
    } catch (const CodecError&) {
      r.error = err::kCorruptMessage;
      return r;
    }
    if (h.transactional() || h.control()) {
      r.error = err::kInvalidRequest;  // transactions are the mock's
      return r;
    }
    const auto a = p.append(b, h, t->config, now);
    if (a.error) {
      r.error = a.error;
      return r;
    }
    if (r.base_offset < 0) r.base_offset = a.base_offset;
    r.log_start = a.log_start;
  }
  return r;
}

}  // namespace

Outcome handle_produce(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  in.nullable_string();  // transactional_id (v3+; every served version)
  const int16_t acks = in.i16();
  in.i32();  // timeout_ms: appends never wait
  struct TopicResult {
    std::string name;
    std::vector<PartResult> parts;
  };
  std::vector<TopicResult> results;
  const int32_t nt = in.array_len(6);
  for (int32_t i = 0; i < nt; ++i) {
    TopicResult tr;
    tr.name = in.string();
    auto t = ctx.cluster.topic(tr.name);
    const int32_t np = in.array_len(8);
    for (int32_t j = 0; j < np; ++j) {
      const int32_t index = in.i32();
      auto records = in.nullable_bytes();
      tr.parts.push_back(produce_one(ctx, t, index, records, acks));
    }
    results.push_back(std::move(tr));
  }
  if (acks == 0) return Outcome::kNoResponse;

  out.array_len(int32_t(results.size()));
  for (const auto& tr : results) {
    out.string(tr.name);
    out.array_len(int32_t(tr.parts.size()));
    for (const auto& r : tr.parts) {
      out.i32(r.index);
      out.i16(r.error);
      out.i64(r.base_offset);
      if (v >= 2) out.i64(-1);  // log_append_time_ms: topics use CreateTime
      if (v >= 5) out.i64(r.log_start);
      if (v >= 8) {
        out.array_len(0);   // record_errors
        out.null_string();  // error_message
      }
    }
  }
  if (v >= 1) out.i32(0);  // throttle_time_ms
  return Outcome::kRespond;
}

}  // namespace hydra::broker
