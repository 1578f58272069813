// One network I/O thread: an epoll loop that owns its connections
// (non-blocking sockets, whole 4-byte-length-prefixed frames), runs each
// request's handler on this thread, and keeps one request in flight per
// connection as Kafka does (responses stay in request order). Other threads
// reach it only through post(); timers are for this thread's own use.
// Server (broker/server.h) creates these; handlers use post()/at() to
// finish parked requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "broker/request_context.h"

namespace hydra::broker {

class Server;

class IoThread {
 public:
  using Clock = std::chrono::steady_clock;
  IoThread(Server& server, int index);
  ~IoThread();
  void start();
  void stop();  // joins; connections are closed

  // Runs `fn` on this thread soon. Any thread.
  void post(std::function<void()> fn);
  // Runs `fn` on this thread and waits for it (control calls from outside
  // the I/O threads only; an I/O thread calling it would wait on itself).
  void run_sync(std::function<void()> fn);
  // Runs `fn` on this thread at `when`. This thread only.
  void at(Clock::time_point when, std::function<void()> fn);
  bool in_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // True while a handler runs on this thread: a response finished then is
  // posted, not sent from inside the handler.
  bool dispatching() const { return dispatching_; }

  // Takes over an accepted socket for `broker_id`. Any thread.
  void adopt(int fd, int32_t broker_id);
  // Closes every connection of a broker. This thread only (see run_sync).
  void drop_broker_now(int32_t broker_id);
  // Listening sockets (thread 0 only accepts). Any thread.
  void add_listener(int fd, int32_t broker_id);
  // Stops polling a listening socket and closes it. This thread only.
  void remove_listener_now(int fd);

  // The response frame for `conn_id` (header room included); sends it
  // after the broker's response delay. This thread only.
  void complete(uint64_t conn_id, std::string frame);

 private:
  // Bytes read and not yet handled; grows without zero-filling, so a read
  // can go straight into its tail.
  struct InBuffer {
    std::unique_ptr<char, void (*)(void*)> mem{nullptr, free};
    size_t len = 0, cap = 0;
    char* data() { return mem.get(); }
    size_t size() const { return len; }
    void clear() { len = 0; }
    // Room for `n` more bytes after size().
    void reserve_more(size_t n);
    void erase_front(size_t n);
  };
  struct Conn {
    int fd = -1;
    int32_t broker = 0;
    InBuffer in;
    size_t in_off = 0;
    std::string out;
    size_t out_off = 0;
    bool busy = false;  // a request is being answered
    bool want_write = false;
    std::shared_ptr<Responder> parked;
  };
  struct Timer {
    Clock::time_point when;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Timer& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };

  void loop();
  void run_posted();
  void run_timers();
  void accept_all(int fd, int32_t broker_id);
  void on_readable(uint64_t id);
  void on_writable(uint64_t id);
  // Handles buffered whole frames until one is in flight.
  void process(uint64_t id);
  void handle_frame(uint64_t id, Conn& c, const char* data, size_t size);
  void send_now(uint64_t id, std::string frame);
  void flush(uint64_t id, Conn& c);
  void close_conn(uint64_t id);

  Server& server_;
  const int index_;
  int epfd_ = -1;
  int evfd_ = -1;
  std::thread thread_;
  bool stopping_ = false;
  bool dispatching_ = false;

  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;

  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  uint64_t timer_seq_ = 0;

  std::unordered_map<uint64_t, Conn> conns_;
  std::unordered_map<int, int32_t> listeners_;  // fd -> broker id
  uint64_t next_conn_ = 1;
};

}  // namespace hydra::broker
