// The transport seam: the publisher and subscriber clients talk to a broker
// only through these two interfaces, so the measuring code is tested without
// a broker and a second transport (brokerless ZeroMQ, later) slots in beside
// Kafka. A messaging driver (agents/driver.h) makes them; the rest of what a
// transport must provide (key partitioning, topic admin) is there too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hydra {

enum class SendStatus { kOk, kQueueFull, kError };

// Called for each delivery report with the message value as it was sent
// (the header carries everything the publisher needs to account for it).
using DeliveryFn = std::function<void(const void* value, size_t len, bool ok)>;

class ProducerDriver {
 public:
  virtual ~ProducerDriver() = default;
  // Copies and enqueues one message for `partition`. kQueueFull: the local
  // queue is full, try again after poll().
  virtual SendStatus send(int32_t partition, std::string_view key, const void* value,
                          size_t len) = 0;
  // Serves delivery reports (and client statistics), waiting up to timeout_ms.
  virtual void poll(int timeout_ms) = 0;
  // Waits up to timeout_ms for every enqueued message to be reported.
  // Returns the number still outstanding.
  virtual int flush(int timeout_ms) = 0;
  // Bytes written to / read from the brokers so far (client statistics).
  virtual uint64_t net_tx_bytes() const = 0;
  virtual uint64_t net_rx_bytes() const = 0;
  // Partitions the topic has, as the cluster reports them (-1 if unknown).
  virtual int partition_count(int timeout_ms) = 0;
  virtual std::string last_error() const = 0;
};

// One received message, valid until the next poll() on the same driver.
struct Received {
  const void* value = nullptr;
  size_t len = 0;
  std::string_view topic;  // empty when the driver does not say
  int32_t partition = -1;
  int64_t offset = -1;
  bool error = false;       // a consumer error, not a message
  std::string_view errstr;  // when error
  // Wall-clock time (ns since the epoch) read after the message was in the
  // driver's hands: never earlier than its real arrival, so a latency from
  // it is never too short. 0: the driver did not say; the client reads the
  // clock itself.
  int64_t recv_ns = 0;
};

// One time a group consumer had no partitions to read: from losing them (a
// rebalance's revocation, or the consumer's crash) until the group gave it
// an assignment again. Wall ns since the epoch; end_ns 0 while it lasts.
struct PausedSpan {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

class ConsumerDriver {
 public:
  virtual ~ConsumerDriver() = default;
  // Waits up to timeout_ms for one message or event. Returns false when
  // nothing arrived.
  virtual bool poll(int timeout_ms, Received& out) = 0;
  // A file descriptor that becomes readable when poll() may have something
  // to hand out, so one thread can wait on many consumers (epoll); poll()
  // clears it. -1: none, the caller polls this consumer at intervals.
  virtual int wait_fd() const { return -1; }
  // True once the consumer owns its partitions and knows where to read from,
  // so nothing produced from now on can be missed.
  virtual bool ready() const = 0;
  // The partitions currently assigned (positioned ones only).
  virtual std::vector<int32_t> assigned() const = 0;
  // Moves every assigned partition to the end of its log, dropping what is
  // queued locally: a client reused for the next step starts there, not
  // behind a backlog the last step left. False when it could not (bounded).
  virtual bool seek_to_end(int timeout_ms) = 0;
  // Leaves the group and releases the connection (bounded).
  virtual void close() = 0;

  // ---- consumer groups (a driver without them keeps the defaults)
  // Every pause so far (see PausedSpan), oldest first.
  virtual std::vector<PausedSpan> paused_spans() const { return {}; }
  // The partition's log start and log end offsets as the client library
  // last heard them from the broker (its fetch responses carry both), without
  // asking the broker; false when not known. Called on the polling thread.
  virtual bool watermarks(std::string_view topic, int32_t partition, int64_t* log_start,
                          int64_t* log_end) const {
    (void)topic, (void)partition, (void)log_start, (void)log_end;
    return false;
  }
  // A crash and its replacement: drops the consumer as a killed process
  // would (no leave, no final commit), then joins the group again as a new
  // member, which resumes from the group's committed offsets. False when the
  // driver cannot (the subscriber's kill of a member then fails, saying so).
  virtual bool crash_and_rejoin() { return false; }
};

}  // namespace hydra
