// One subscriber client: its own consumer (its own connection and, in HYDRA's
// fan-out, its own consumer group) on its own thread, counting what it reads
// by sequence: unique, lost, duplicates, reordered, foreign, and end-to-end
// latency from the intended send time. Counters live on the client's thread;
// the agent snapshots or resets them through a Mailbox.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agents/transport.h"
#include "common/mailbox.h"
#include "common/sequence_tracker.h"
#include "common/stats.h"

namespace hydra {

class Processor;
struct ProcessingConfig;

using ConsumerFactory = std::function<std::unique_ptr<ConsumerDriver>(int client_id)>;
// Builds the client's processing stage (nullptr: none). Called on the
// client's thread; may throw to fail the client with a reason.
using ProcessorFactory = std::function<std::unique_ptr<Processor>()>;

class SubscriberClient {
 public:
  // poll_ms bounds how long the client blocks waiting for a message; with a
  // processing stage it must be below its linger time, so a partial batch is
  // flushed on time even when no further message arrives.
  SubscriberClient(int id, ConsumerFactory consumer_factory, ProcessorFactory processor_factory,
                   int poll_ms = 50);
  ~SubscriberClient();
  SubscriberClient(const SubscriberClient&) = delete;
  SubscriberClient& operator=(const SubscriberClient&) = delete;

  void start();
  void request_stop() { stop_.store(true); }
  void join();

  int id() const { return id_; }
  bool ready() const;
  std::vector<int32_t> assigned() const;
  std::string error() const;

  // Starts the measured window at `windows` (publisher's from per stream):
  // zeroes counters and histograms, ignores earlier sequences from now on.
  // Returns false when the client thread did not answer in time.
  bool reset(const std::vector<ProducerWindow>& windows);
  // Skips to the end of every assigned partition (see ConsumerDriver).
  // False when the client did not answer in time or the seek failed.
  bool seek_to_end();
  // Counters now; with windows, unique/lost are counted over each window's
  // [from, until) exactly. nullopt when the client thread did not answer.
  std::optional<ClientStats> snapshot(const std::vector<ProducerWindow>& windows);

 private:
  void run();
  void handle(const Received& r, int64_t now_ns);
  bool in_window_producers(uint32_t producer) const;
  ClientStats make_snapshot(const std::vector<ProducerWindow>& windows);

  const int id_;
  const int poll_ms_;
  ConsumerFactory consumer_factory_;
  ProcessorFactory processor_factory_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Mailbox mailbox_;

  mutable std::mutex mu_;  // guards driver_ pointer publication and error_
  std::unique_ptr<ConsumerDriver> driver_;
  std::string error_;

  // Owned by the client thread (through the mailbox otherwise).
  std::unique_ptr<Processor> processor_;
  SequenceTracker tracker_;
  ClientStats stats_;
  uint64_t dup_base_ = 0;
  uint64_t reorder_base_ = 0;
  std::vector<ProducerWindow> windows_;
  bool has_window_ = false;
};

}  // namespace hydra
