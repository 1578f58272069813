// One subscriber client: its own consumer (its own connection and, in HYDRA's
// fan-out, its own consumer group), counting what it reads by sequence:
// unique, lost, duplicates, reordered, foreign, and end-to-end latency from
// the intended send time.
//
// In a shared consumer group (subscribers.groups "shared") the members of one
// group share one sequence tracker (join_group), so a message counts once
// for the group whoever reads it, and a second copy, whoever reads it, is the
// group's duplicate. All members of a group are hosted by the same loop
// (the subscriber places them so), which keeps the shared tracker on one
// thread. A member's own snapshot then says what it counted for its group
// (unique: first-seen window messages it read, each with its one latency
// sample); the group's loss, duplicates and reordering come from
// group_counts() on any one member.
//
// A client has no thread of its own: a ClientLoop (subscriber_loop.h) hosts
// several clients on one thread and calls open(), pump(), tick() and close()
// on it; the subscriber agent asks for resets and snapshots through that
// loop's mailbox, so counters and histograms are only ever touched by one
// thread. What live progress needs (received, unique, lost) is also
// published as atomics, read from any thread without waking the loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agents/transport.h"
#include "common/sequence_tracker.h"
#include "common/stats.h"

namespace hydra {

class Processor;

using ConsumerFactory = std::function<std::unique_ptr<ConsumerDriver>(int client_id)>;
// Builds the client's processing stage (nullptr: none). Called on the loop's
// thread; may throw to fail the client with a reason.
using ProcessorFactory = std::function<std::unique_ptr<Processor>()>;

// The counters live progress reads (see SubscriberClient::live).
struct LiveClientCounts {
  uint64_t received = 0;
  uint64_t unique = 0;  // first-seen messages of the window so far
  uint64_t lost = 0;    // holes in the window so far
};

class SubscriberClient {
 public:
  // tick_ms: with a processing stage, how often tick() must run so a partial
  // batch leaves within its linger time (the loop waits at most that long).
  SubscriberClient(int id, ConsumerFactory consumer_factory, ProcessorFactory processor_factory,
                   int tick_ms = 50);
  ~SubscriberClient();
  SubscriberClient(const SubscriberClient&) = delete;
  SubscriberClient& operator=(const SubscriberClient&) = delete;

  // Before open(): makes this client a member of a shared group whose
  // members share `tracker` (see above). `reports_group_loss`: its live
  // counts carry the group's loss (one member per group does, so live sums
  // count each group once).
  void join_group(std::shared_ptr<SequenceTracker> tracker, bool reports_group_loss);
  bool in_group() const { return in_group_; }
  const std::shared_ptr<SequenceTracker>& shared_tracker() const { return tracker_; }
  // Before open(): decode every body and time it (subscribers.decode).
  void set_decode(bool decode) { decode_ = decode; }
  // Before open(): a slow client (subscribers.slow) reads at most
  // `rate_per_s` msg/s and is reported apart from the others (stats.slow).
  void set_slow(double rate_per_s);

  // ---- the hosting loop's thread
  // Makes the consumer and the processing stage; false (and error() says
  // why) when either cannot be made: the client then reads nothing.
  bool open();
  bool is_open() const { return open_; }
  // The consumer's wait_fd() (-1 when none or not open).
  int wait_fd() const;
  // Handles up to `max` messages the consumer hands out without waiting.
  // Returns how many it took (max: there may be more).
  size_t pump(size_t max);
  // Lets the processing stage flush a partial batch whose linger expired.
  void tick(int64_t now_ns);
  int tick_ms() const { return processor_ ? tick_ms_ : -1; }
  // Drains the processing stage (bounded) and closes the consumer.
  void close();

  // Starts the measured window at `windows` (publisher's from per stream):
  // counters and histograms start from what this client already got of the
  // window (messages flagged kFlagInWindow that arrived before the reset),
  // earlier sequences are ignored from now on. Without windows, "now".
  // With a series span, also keeps per-second counts of the window
  // (common/second_series.h).
  void reset(const std::vector<ProducerWindow>& windows, SeriesSpan series = {});
  // Reads at most `rate` messages per second from now on (0: back to the
  // client's own limit, none unless it is slow): a fault timeline's `slow`
  // action (harness/fault_timeline.h). Does not make it a slow client.
  void set_throttle(double rate);
  // Skips to the end of every assigned partition (see ConsumerDriver).
  bool seek_to_end();
  // Counters now; with windows, unique/lost are counted over each window's
  // [from, until) exactly.
  ClientStats snapshot(const std::vector<ProducerWindow>& windows);
  // The shared tracker's counts over the window as snapshot() gives them to
  // a client of its own: unique, lost, behind, duplicates, reordered.
  void group_counts(ClientStats& s, const std::vector<ProducerWindow>& windows) const;
  // Crashes this member's consumer and joins the group again (see
  // ConsumerDriver::crash_and_rejoin); its counts go on. False (and error()
  // says why) when the consumer cannot.
  bool crash_and_rejoin();
  // Per stream partition it reads: the log end offset its last fetch
  // response reported minus its position (the offset after the last record
  // it read); partitions it has not read yet are left out.
  std::map<int32_t, int64_t> partition_lag() const;
  // The consumer's pauses (ConsumerDriver::paused_spans).
  std::vector<PausedSpan> paused_spans() const;

  // ---- any thread
  int id() const { return id_; }
  bool ready() const;
  std::vector<int32_t> assigned() const;
  std::string error() const;
  // Published by the loop after each batch: no lock, no histogram.
  LiveClientCounts live() const;

 private:
  // Latency, bytes and receive span of the window's messages that arrived
  // before this client's reset (per producer, see reset()).
  struct EarlyWindow {
    Histogram latency;
    CoarseHistogram coarse;  // the same, for the window's first second
    uint64_t bytes = 0;
    int64_t first_recv_ns = 0;
    int64_t last_recv_ns = 0;
  };

  // Where this client is in one partition (by the header's stream
  // partition, so several topics do not collide): the Kafka topic and
  // partition it came from and the offset after the last record read.
  struct Position {
    std::string topic;
    int32_t partition = -1;
    int64_t next = -1;
  };

  void handle(const Received& r, int64_t now_ns);
  // A Hydra record on stream partition `stream`: notices a position that
  // jumped past records the broker no longer has (see position_skipped).
  void follow_position(const Received& r, uint32_t stream);
  // True when the broker's log start on stream partition `stream` has
  // passed this client's position: what it had not read there is gone.
  bool position_trimmed(uint32_t stream) const;
  bool in_window_producers(uint32_t producer) const;
  void count_window(ClientStats& s, const std::vector<ProducerWindow>& ws, bool until_known) const;
  void publish_live();

  const int id_;
  const int tick_ms_;
  ConsumerFactory consumer_factory_;
  ProcessorFactory processor_factory_;
  bool open_ = false;

  mutable std::mutex mu_;  // guards driver_ pointer publication and error_
  std::unique_ptr<ConsumerDriver> driver_;
  std::string error_;

  // Owned by the loop's thread.
  std::unique_ptr<Processor> processor_;
  std::shared_ptr<SequenceTracker> tracker_;  // its own, or its group's
  bool in_group_ = false;
  bool reports_group_loss_ = true;
  ClientStats stats_;
  uint64_t dup_base_ = 0;
  uint64_t reorder_base_ = 0;
  std::vector<ProducerWindow> windows_;
  bool has_window_ = false;
  std::map<uint32_t, EarlyWindow> early_;  // by producer id, until the reset
  std::vector<Position> positions_;        // by stream partition

  bool decode_ = false;
  // Throttle (slow clients): a token bucket refilled at throttle_rate_,
  // holding at most half a second's worth (the loop's safety sweep comes
  // every 500 ms, so a client left waiting still reaches its rate).
  double throttle_rate_ = 0;
  double slow_rate_ = 0;  // subscribers.slow: the configured limit; 0: not slow
  double tokens_ = 0;
  int64_t tokens_at_ns_ = 0;

  std::atomic<uint64_t> live_received_{0};
  std::atomic<uint64_t> live_unique_{0};
  std::atomic<uint64_t> live_lost_{0};
};

}  // namespace hydra
