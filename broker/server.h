// The network side of a Cluster: one listening socket per broker (accepted
// on I/O thread 0, then handed round-robin to the I/O threads), the I/O
// threads, request dispatch by API key, and a housekeeping thread for time
// retention. Cluster (broker/broker.h) owns it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "broker/cluster_state.h"
#include "broker/io_thread.h"

namespace hydra::broker {

class Server {
 public:
  Server(ClusterState& state, int io_threads);
  ~Server();

  ClusterState& state() { return state_; }
  IoThread& next_thread();
  IoThread& thread(size_t i) { return *threads_[i]; }

  // Binds (first time: an ephemeral port; later: the same port again).
  void open_listener(BrokerNode& b);
  void close_listener(int32_t broker_id);
  void set_broker_up(int32_t broker_id, bool up);
  void drop_connections(int32_t broker_id);

  // Runs the handler for ctx.api_key. Throws CodecError for a malformed
  // request.
  Outcome dispatch(RequestContext& ctx, Reader& in, Writer& out);

 private:
  void housekeeping();

  ClusterState& state_;
  std::vector<std::unique_ptr<IoThread>> threads_;
  std::atomic<size_t> rr_{0};
  std::mutex listen_mu_;
  std::vector<int> listen_fds_;  // index = broker id - 1; -1 when closed

  std::mutex hk_mu_;
  std::condition_variable hk_cv_;
  bool hk_stop_ = false;
  std::thread hk_;
};

}  // namespace hydra::broker
