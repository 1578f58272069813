// What a handler (broker/handlers_*.cc) gets for one request, and how it
// answers later when it cannot answer at once (a long-polling Fetch, a
// JoinGroup waiting for the other members).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "broker/codec.h"

namespace hydra::broker {

class ClusterState;
struct BrokerNode;
class IoThread;

// Answers one parked request from any thread, exactly once. closed() turns
// true when the connection went away, so a waiting fetch can stop.
class Responder {
 public:
  Responder(IoThread& io, uint64_t conn_id, int32_t correlation_id)
      : io_(io), conn_id_(conn_id), correlation_id_(correlation_id) {}
  // A response body writer with room for the frame header.
  static Writer begin();
  void send(Writer&& body);
  bool closed() const { return closed_.load(std::memory_order_relaxed); }
  void mark_closed() { closed_ = true; }
  IoThread& io() const { return io_; }

 private:
  IoThread& io_;
  const uint64_t conn_id_;
  const int32_t correlation_id_;
  std::atomic<bool> sent_{false};
  std::atomic<bool> closed_{false};
};

enum class Outcome {
  kRespond,     // the handler wrote the response body
  kNoResponse,  // nothing is sent (Produce with acks=0)
  kParked,      // the handler took a Responder and answers later
};

struct RequestContext {
  RequestContext(ClusterState& c, BrokerNode& b, IoThread& i) : cluster(c), broker(b), io(i) {}
  ClusterState& cluster;
  BrokerNode& broker;
  IoThread& io;
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
  // Pushed by the control interface: answer with this error everywhere.
  int16_t forced_error = 0;
  // Set by park(); the I/O thread keeps it so it can mark it closed.
  std::shared_ptr<Responder> parked;
  uint64_t conn_id = 0;

  std::shared_ptr<Responder> park() {
    parked = std::make_shared<Responder>(io, conn_id, correlation_id);
    return parked;
  }
};

// Every handler has this shape; `out` already has room for the header.
using Handler = Outcome (*)(RequestContext&, Reader&, Writer&);

}  // namespace hydra::broker
