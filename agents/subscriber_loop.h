// One thread hosting several subscriber clients (subscriber_client.h): it
// waits on all their consumers at once (epoll over each consumer's wait_fd,
// see agents/transport.h) and handles whatever arrives, so a client costs
// what its consumer costs, not a thread of its own. The subscriber agent
// (subscriber.h) runs a few of these and reaches their clients through
// call(), which runs a request on the loop's thread between two batches:
// the clients' counters are never shared, and a request wakes the loop at
// once instead of waiting out a poll timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "agents/subscriber_client.h"
#include "common/mailbox.h"

namespace hydra {

class ClientLoop {
 public:
  // The clients outlive the loop; the loop opens them on its thread, and
  // closes them when it stops.
  explicit ClientLoop(std::vector<SubscriberClient*> clients);
  ~ClientLoop();
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  void start();
  void request_stop();
  void join();

  // Runs fn on the loop's thread (or on the caller's once the loop has
  // ended). False when the loop did not get to it within `timeout`.
  bool call(const std::function<void()>& fn, std::chrono::milliseconds timeout);

  const std::vector<SubscriberClient*>& clients() const { return clients_; }

 private:
  void run();
  void wake();

  std::vector<SubscriberClient*> clients_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  Mailbox mailbox_;
  int wake_fd_ = -1;  // eventfd: a request or a stop is waiting
};

}  // namespace hydra
