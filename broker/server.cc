#include "broker/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "broker/handlers.h"

namespace hydra::broker {

Server::Server(ClusterState& state, int io_threads) : state_(state) {
  if (io_threads < 1) io_threads = 1;
  for (int i = 0; i < io_threads; ++i) threads_.push_back(std::make_unique<IoThread>(*this, i));
  listen_fds_.assign(state_.brokers.size(), -1);
  for (auto& t : threads_) t->start();
  for (auto& b : state_.brokers) open_listener(*b);
  hk_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "broker-hk");
    housekeeping();
  });
}

Server::~Server() {
  {
    std::lock_guard lk(hk_mu_);
    hk_stop_ = true;
  }
  hk_cv_.notify_all();
  hk_.join();
  for (auto& t : threads_) t->stop();
  for (int fd : listen_fds_)
    if (fd >= 0) ::close(fd);
}

IoThread& Server::next_thread() {
  return *threads_[rr_++ % threads_.size()];
}

void Server::open_listener(BrokerNode& b) {
  std::lock_guard lk(listen_mu_);
  int& slot = listen_fds_[size_t(b.id - 1)];
  if (slot >= 0) return;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("broker: socket: ") + strerror(errno));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(b.port));  // 0 the first time: an ephemeral port
  if (inet_pton(AF_INET, b.host.c_str(), &a.sin_addr) != 1) {
    ::close(fd);
    throw std::invalid_argument("broker: host must be an IPv4 address, got '" + b.host + "'");
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4096) != 0) {
    const std::string why = strerror(errno);
    ::close(fd);
    throw std::runtime_error("broker " + std::to_string(b.id) + ": cannot listen on " + b.host +
                             ":" + std::to_string(b.port) + ": " + why);
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  b.port = ntohs(a.sin_port);
  slot = fd;
  threads_[0]->add_listener(fd, b.id);
}

void Server::close_listener(int32_t broker_id) {
  std::lock_guard lk(listen_mu_);
  int& slot = listen_fds_[size_t(broker_id - 1)];
  if (slot < 0) return;
  // Closed on thread 0 (which polls it), and waited for, so that the port
  // refuses connections when this returns and can be bound again.
  const int fd = slot;
  threads_[0]->run_sync([this, fd] { threads_[0]->remove_listener_now(fd); });
  slot = -1;
}

void Server::set_broker_up(int32_t id, bool up) {
  BrokerNode* b = state_.broker(id);
  if (b->up.exchange(up) == up) return;
  if (up) {
    open_listener(*b);
    state_.broker_up(id);
  } else {
    close_listener(id);
    for (auto& t : threads_) t->run_sync([&t, id] { t->drop_broker_now(id); });
    state_.broker_down(id);
  }
}

void Server::drop_connections(int32_t id) {
  for (auto& t : threads_) t->run_sync([&t, id] { t->drop_broker_now(id); });
}

void Server::housekeeping() {
  std::unique_lock lk(hk_mu_);
  while (!hk_cv_.wait_for(lk, std::chrono::seconds(1), [this] { return hk_stop_; })) {
    lk.unlock();
    const int64_t now = wall_ms();
    for (const auto& t : state_.topics())
      for (const auto& p : t->partitions) p->trim(t->config, now);
    lk.lock();
  }
}

Outcome Server::dispatch(RequestContext& ctx, Reader& in, Writer& out) {
  const Handler h = handler_for(ctx.api_key);
  return h(ctx, in, out);
}

}  // namespace hydra::broker
