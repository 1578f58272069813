#include "agents/subscriber_loop.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "common/clock.h"

namespace hydra {
namespace {

// Messages one client handles before the loop turns to the next: bounds how
// long a busy client keeps the others (and a control request) waiting.
constexpr size_t kTurn = 64;
// Clients whose consumer has no wait_fd are polled this often.
constexpr int kNoFdPollMs = 1;
// A safety net only: every client is also polled this often, so a wake-up
// its consumer failed to signal costs at most this much, never a stall.
constexpr int kSweepMs = 500;
constexpr uint64_t kWakeTag = ~uint64_t(0);

}  // namespace

ClientLoop::ClientLoop(std::vector<SubscriberClient*> clients) : clients_(std::move(clients)) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error("subscriber loop: cannot create an eventfd");
  mailbox_.set_notify([this] { wake(); });
}

ClientLoop::~ClientLoop() {
  request_stop();
  join();
  ::close(wake_fd_);
}

void ClientLoop::start() {
  stop_.store(false);
  mailbox_.open();
  thread_ = std::thread([this] { run(); });
}

void ClientLoop::request_stop() {
  stop_.store(true);
  wake();
}

void ClientLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void ClientLoop::wake() {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

bool ClientLoop::call(const std::function<void()>& fn, std::chrono::milliseconds timeout) {
  return mailbox_.call(fn, timeout);
}

void ClientLoop::run() {
  // Named, so per-thread CPU (top -H, /proc/<pid>/task) tells the loops apart.
  pthread_setname_np(pthread_self(), "hydra-loop");
  // Opening a consumer may take a round trip or two; requests are served in
  // between, so status and stats answer while hundreds of clients start.
  for (SubscriberClient* c : clients_) {
    if (stop_.load()) break;
    c->open();
    mailbox_.serve();
  }
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  auto add = [&](int fd, uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: a readable fd is reported until cleared
    ev.data.u64 = tag;
    return ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  add(wake_fd_, kWakeTag);
  std::vector<size_t> no_fd;  // polled on a timer
  int tick_ms = kSweepMs;     // processing stages need their linger ticks
  for (size_t i = 0; i < clients_.size(); ++i) {
    SubscriberClient* c = clients_[i];
    if (!c->is_open()) continue;
    const int fd = c->wait_fd();
    if (fd < 0 || !add(fd, i)) no_fd.push_back(i);
    if (c->tick_ms() > 0) tick_ms = std::min(tick_ms, c->tick_ms());
  }
  if (!no_fd.empty()) tick_ms = std::min(tick_ms, kNoFdPollMs);

  std::vector<size_t> hot;  // clients that may hold more than one turn
  std::vector<size_t> still_hot;
  std::vector<epoll_event> events(64);
  int64_t next_sweep = mono_ns() + int64_t(tick_ms) * 1'000'000;
  while (!stop_.load(std::memory_order_relaxed)) {
    mailbox_.serve();
    still_hot.clear();
    for (size_t i : hot)
      if (clients_[i]->pump(kTurn) == kTurn) still_hot.push_back(i);
    hot.swap(still_hot);
    // One clock reading an iteration (it showed in profiles at three).
    const int64_t now = mono_ns();
    if (now >= next_sweep) {
      const int64_t wall = wall_ns();
      for (size_t i = 0; i < clients_.size(); ++i) {
        SubscriberClient* c = clients_[i];
        if (!c->is_open()) continue;
        if (c->pump(kTurn) == kTurn && std::find(hot.begin(), hot.end(), i) == hot.end())
          hot.push_back(i);
        c->tick(wall);
      }
      next_sweep = now + int64_t(tick_ms) * 1'000'000;
    }
    const int wait_ms =
        hot.empty() ? int(std::clamp<int64_t>((next_sweep - now + 999'999) / 1'000'000, 0, tick_ms))
                    : 0;
    const int n = ep >= 0 ? epoll_wait(ep, events.data(), int(events.size()), wait_ms) : 0;
    if (ep < 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    for (int k = 0; k < n; ++k) {
      const uint64_t tag = events[size_t(k)].data.u64;
      if (tag == kWakeTag) {
        uint64_t v;
        (void)!::read(wake_fd_, &v, sizeof v);
        continue;
      }
      if (clients_[tag]->pump(kTurn) == kTurn &&
          std::find(hot.begin(), hot.end(), tag) == hot.end())
        hot.push_back(tag);
    }
  }
  for (SubscriberClient* c : clients_) c->close();
  if (ep >= 0) ::close(ep);
  mailbox_.close();
}

}  // namespace hydra
