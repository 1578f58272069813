// Fetch v4-11 with long-poll. A fetch takes as many whole batches as fit
// max_bytes and each partition's max (at least one batch, even if larger,
// so a big batch never stalls a consumer). When fewer than min_bytes are
// there, the fetch parks: it registers as a waiter on its partitions and
// is answered by the append that satisfies it (the appending thread posts
// a wake-up to this fetch's I/O thread), or at max_wait by a timer —
// never by polling. Fetch sessions are not created (session id 0), so
// clients send full fetches, which librdkafka and kafka-python do anyway.
#include <chrono>

#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/io_thread.h"
#include "broker/protocol.h"

namespace hydra::broker {

namespace {

struct FetchPart {
  int32_t index = 0;
  int64_t offset = 0;
  int32_t max_bytes = 0;
  std::shared_ptr<Partition> p;
};

struct FetchTopic {
  std::string name;
  std::vector<FetchPart> parts;
};

struct PartAnswer {
  int16_t error = 0;
  int64_t hwm = -1, log_start = -1;
  std::vector<BatchData> batches;
  size_t bytes = 0;
};

class FetchOp : public Waiter, public std::enable_shared_from_this<FetchOp> {
 public:
  FetchOp(RequestContext& ctx) : st_(ctx.cluster), broker_(ctx.broker.id), io_(ctx.io) {
    version_ = ctx.api_version;
    forced_error_ = ctx.forced_error;
  }

  // Builds the answer; true when it is worth sending now.
  bool build(std::vector<std::vector<PartAnswer>>& ans, bool& any_error) const;
  void write(Writer& out, const std::vector<std::vector<PartAnswer>>& ans) const;
  // Sends when satisfied or when `final`; returns whether it sent.
  bool try_finish(bool final);

  void wake() override {
    if (finished() || queued_.exchange(true)) return;
    io_.post([self = shared_from_this()] {
      self->queued_ = false;
      if (!self->finished()) self->try_finish(false);
    });
  }
  bool finished() const override { return done_.load() || (resp_ && resp_->closed()); }

  ClusterState& st_;
  const int32_t broker_;
  IoThread& io_;
  int16_t version_ = 0;
  int16_t forced_error_ = 0;
  int32_t max_wait_ = 0, min_bytes_ = 0, max_bytes_ = INT32_MAX;
  std::vector<FetchTopic> topics_;
  std::shared_ptr<Responder> resp_;
  std::atomic<bool> done_{false};
  std::atomic<bool> queued_{false};
};

bool FetchOp::build(std::vector<std::vector<PartAnswer>>& ans, bool& any_error) const {
  any_error = false;
  size_t total = 0;
  ans.assign(topics_.size(), {});
  for (size_t i = 0; i < topics_.size(); ++i) {
    const FetchTopic& t = topics_[i];
    ans[i].resize(t.parts.size());
    for (size_t j = 0; j < t.parts.size(); ++j) {
      const FetchPart& fp = t.parts[j];
      PartAnswer& a = ans[i][j];
      if (forced_error_) {
        a.error = forced_error_;
      } else if (!fp.p || st_.partition(t.name, fp.index) != fp.p) {
        a.error = err::kUnknownTopicOrPartition;  // never existed, or deleted since
      } else if (fp.p->leader() != broker_) {
        a.error = err::kNotLeaderOrFollower;
      }
      if (a.error) {
        any_error = true;
        continue;
      }
      const size_t room = total >= size_t(max_bytes_) ? 0 : size_t(max_bytes_) - total;
      const size_t cap = std::min(room, size_t(std::max(fp.max_bytes, 0)));
      auto r = fp.p->read(fp.offset, cap, total == 0);
      a.hwm = r.high_watermark;
      a.log_start = r.log_start;
      if (r.out_of_range) {
        a.error = err::kOffsetOutOfRange;
        any_error = true;
        continue;
      }
      a.batches = std::move(r.batches);
      a.bytes = r.bytes;
      total += r.bytes;
    }
  }
  return any_error || total >= size_t(std::max(min_bytes_, 1)) || max_wait_ <= 0;
}

void FetchOp::write(Writer& out, const std::vector<std::vector<PartAnswer>>& ans) const {
  const int16_t v = version_;
  out.i32(0);  // throttle_time_ms
  if (v >= 7) {
    out.i16(err::kNone);
    out.i32(0);  // session_id: no session
  }
  out.array_len(int32_t(topics_.size()));
  for (size_t i = 0; i < topics_.size(); ++i) {
    out.string(topics_[i].name);
    out.array_len(int32_t(topics_[i].parts.size()));
    for (size_t j = 0; j < topics_[i].parts.size(); ++j) {
      const PartAnswer& a = ans[i][j];
      out.i32(topics_[i].parts[j].index);
      out.i16(a.error);
      out.i64(a.hwm);
      out.i64(a.hwm);  // last_stable_offset: no transactions, so the HWM
      if (v >= 5) out.i64(a.log_start);
      out.array_len(-1);         // aborted_transactions: none
      if (v >= 11) out.i32(-1);  // preferred_read_replica: the leader
      out.i32(int32_t(a.bytes));
      for (const auto& b : a.batches) out.raw(b.view());
    }
  }
}

bool FetchOp::try_finish(bool final) {
  std::vector<std::vector<PartAnswer>> ans;
  bool any_error = false;
  const bool ready = build(ans, any_error);
  if (!ready && !final) return false;
  if (done_.exchange(true)) return true;
  Writer out = Responder::begin();
  write(out, ans);
  resp_->send(std::move(out));
  return true;
}

}  // namespace

Outcome handle_fetch(RequestContext& ctx, Reader& in, Writer& out) {
  const int16_t v = ctx.api_version;
  auto op = std::make_shared<FetchOp>(ctx);
  in.i32();  // replica_id: consumers only
  op->max_wait_ = in.i32();
  op->min_bytes_ = in.i32();
  op->max_bytes_ = in.i32();  // v3+
  if (op->max_bytes_ <= 0) op->max_bytes_ = INT32_MAX;
  in.i8();  // isolation_level: every offset is "committed" here
  if (v >= 7) {
    in.i32();  // session_id
    in.i32();  // session_epoch
  }
  const int32_t nt = in.array_len(6);
  for (int32_t i = 0; i < nt; ++i) {
    FetchTopic t;
    t.name = in.string();
    auto topic = ctx.cluster.topic(t.name);
    const int32_t np = in.array_len(16);
    for (int32_t j = 0; j < np; ++j) {
      FetchPart fp;
      fp.index = in.i32();
      if (v >= 9) in.i32();  // current_leader_epoch
      fp.offset = in.i64();
      if (v >= 5) in.i64();  // log_start_offset (followers only)
      fp.max_bytes = in.i32();
      if (topic && fp.index >= 0 && fp.index < int32_t(topic->partitions.size()))
        fp.p = topic->partitions[size_t(fp.index)];
      t.parts.push_back(std::move(fp));
    }
    op->topics_.push_back(std::move(t));
  }
  if (v >= 7) {
    const int32_t nf = in.array_len(6);
    for (int32_t i = 0; i < nf; ++i) {
      in.string();
      const int32_t n = in.array_len(4);
      for (int32_t j = 0; j < n; ++j) in.i32();
    }
  }
  if (v >= 11) in.string();  // rack_id

  std::vector<std::vector<PartAnswer>> ans;
  bool any_error = false;
  if (op->build(ans, any_error)) {
    op->write(out, ans);
    return Outcome::kRespond;
  }
  // Park: register first, then look again, so an append between the first
  // look and the registration is not missed.
  op->resp_ = ctx.park();
  for (auto& t : op->topics_)
    for (auto& fp : t.parts)
      if (fp.p) fp.p->add_waiter(op);
  if (op->try_finish(false)) return Outcome::kParked;
  ctx.io.at(IoThread::Clock::now() + std::chrono::milliseconds(op->max_wait_), [op] {
    if (!op->finished()) op->try_finish(true);
  });
  return Outcome::kParked;
}

}  // namespace hydra::broker
