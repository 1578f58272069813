#include "broker/io_thread.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <stdexcept>

#include "broker/cluster_state.h"
#include "broker/handlers.h"
#include "broker/protocol.h"
#include "broker/server.h"

namespace hydra::broker {

namespace {
constexpr uint64_t kListenerTag = 1ull << 63;
constexpr uint64_t kEventTag = 0;
// A frame larger than this closes the connection (Kafka's default
// socket.request.max.bytes is 100 MiB).
constexpr int32_t kMaxFrame = 100 * 1024 * 1024;
}  // namespace

Writer Responder::begin() {
  Writer w;
  w.reserve_i32();  // frame size
  w.reserve_i32();  // correlation id
  return w;
}

void Responder::send(Writer&& body) {
  if (sent_.exchange(true)) return;
  body.patch_i32(0, int32_t(body.size() - 4));
  body.patch_i32(4, correlation_id_);
  if (io_.in_thread() && !io_.dispatching()) {
    io_.complete(conn_id_, body.take());
    return;
  }
  io_.post(
      [io = &io_, id = conn_id_, f = body.take()]() mutable { io->complete(id, std::move(f)); });
}

IoThread::IoThread(Server& server, int index) : server_(server), index_(index) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  evfd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || evfd_ < 0)
    throw std::runtime_error(std::string("broker: epoll/eventfd: ") + strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kEventTag;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, evfd_, &ev);
}

IoThread::~IoThread() {
  stop();
  for (auto& [id, c] : conns_) ::close(c.fd);
  ::close(evfd_);
  ::close(epfd_);
}

void IoThread::start() {
  thread_ = std::thread([this] {
    // Named so that per-thread CPU (/proc/PID/task/*/stat) tells them apart.
    pthread_setname_np(pthread_self(), ("broker-io" + std::to_string(index_)).c_str());
    loop();
  });
}

void IoThread::stop() {
  if (!thread_.joinable()) return;
  post([this] { stopping_ = true; });
  thread_.join();
}

void IoThread::post(std::function<void()> fn) {
  bool was_empty;
  {
    std::lock_guard lk(posted_mu_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(fn));
  }
  // One wake-up per batch of posts: the loop drains them all.
  if (was_empty) {
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(evfd_, &one, sizeof one);
  }
}

void IoThread::run_sync(std::function<void()> fn) {
  std::promise<void> done;
  auto f = done.get_future();
  post([&] {
    fn();
    done.set_value();
  });
  f.wait();
}

void IoThread::at(Clock::time_point when, std::function<void()> fn) {
  timers_.push(Timer{when, timer_seq_++, std::move(fn)});
}

void IoThread::adopt(int fd, int32_t broker_id) {
  post([this, fd, broker_id] {
    const uint64_t id = next_conn_++;
    Conn& c = conns_[id];
    c.fd = fd;
    c.broker = broker_id;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = id;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  });
}

void IoThread::drop_broker_now(int32_t broker_id) {
  std::vector<uint64_t> ids;
  for (auto& [id, c] : conns_)
    if (c.broker == broker_id) ids.push_back(id);
  for (uint64_t id : ids) close_conn(id);
}

void IoThread::add_listener(int fd, int32_t broker_id) {
  post([this, fd, broker_id] {
    listeners_[fd] = broker_id;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerTag | uint64_t(fd);
    epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
  });
}

void IoThread::remove_listener_now(int fd) {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  listeners_.erase(fd);
  ::close(fd);
}

void IoThread::loop() {
  epoll_event evs[256];
  while (!stopping_) {
    int timeout = -1;
    if (!timers_.empty()) {
      const auto left = timers_.top().when - Clock::now();
      timeout = left <= Clock::duration::zero()
                    ? 0
                    : int(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    }
    const int n = epoll_wait(epfd_, evs, 256, timeout);
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = evs[i].data.u64;
      if (tag == kEventTag) {
        uint64_t v;
        [[maybe_unused]] auto r = ::read(evfd_, &v, sizeof v);
        run_posted();
      } else if (tag & kListenerTag) {
        const int fd = int(tag & ~kListenerTag);
        auto it = listeners_.find(fd);
        if (it != listeners_.end()) accept_all(fd, it->second);
      } else {
        if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) on_readable(tag);
        if (evs[i].events & EPOLLOUT) on_writable(tag);
      }
    }
    run_timers();
  }
}

void IoThread::run_posted() {
  std::vector<std::function<void()>> fns;
  {
    std::lock_guard lk(posted_mu_);
    fns.swap(posted_);
  }
  for (auto& f : fns) f();
}

void IoThread::run_timers() {
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.top().when <= now) {
    auto fn = std::move(const_cast<Timer&>(timers_.top()).fn);
    timers_.pop();
    fn();
  }
}

void IoThread::accept_all(int lfd, int32_t broker_id) {
  for (;;) {
    const int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or the listener closed
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    server_.next_thread().adopt(fd, broker_id);
  }
}

void IoThread::InBuffer::reserve_more(size_t n) {
  if (len + n <= cap) return;
  const size_t want = std::max(len + n, cap * 2);
  char* p = static_cast<char*>(realloc(mem.get(), want));
  if (!p) throw std::bad_alloc();
  mem.release();
  mem.reset(p);
  cap = want;
}

void IoThread::InBuffer::erase_front(size_t n) {
  std::memmove(mem.get(), mem.get() + n, len - n);
  len -= n;
}

void IoThread::on_readable(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  for (;;) {
    // Read straight into the buffer, with room for the rest of the frame
    // being read (produce requests run to megabytes) or 64 KiB.
    size_t want = 65536;
    const size_t avail = c.in.size() - c.in_off;
    if (avail >= 4) {
      const size_t frame = size_t(uint32_t(get_be32(c.in.data() + c.in_off))) + 4;
      if (frame > avail && frame - avail > want && frame <= size_t(kMaxFrame) + 4)
        want = frame - avail;
    }
    c.in.reserve_more(want);
    const ssize_t n = ::read(c.fd, c.in.data() + c.in.len, want);
    if (n > 0) {
      c.in.len += size_t(n);
      if (size_t(n) < want) break;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    close_conn(id);  // EOF or error
    return;
  }
  process(id);
}

void IoThread::on_writable(uint64_t id) {
  auto it = conns_.find(id);
  if (it != conns_.end()) flush(id, it->second);
}

void IoThread::process(uint64_t id) {
  for (;;) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    Conn& c = it->second;
    if (c.busy) break;
    const size_t avail = c.in.size() - c.in_off;
    if (avail < 4) break;
    const int32_t len = get_be32(c.in.data() + c.in_off);
    if (len < 8 || len > kMaxFrame) {
      close_conn(id);
      return;
    }
    if (avail < size_t(len) + 4) break;
    const char* frame = c.in.data() + c.in_off + 4;
    c.in_off += size_t(len) + 4;
    handle_frame(id, c, frame, size_t(len));
  }
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if (c.in_off == c.in.size()) {
    c.in.clear();
    c.in_off = 0;
  } else if (c.in_off > 65536) {
    c.in.erase_front(c.in_off);
    c.in_off = 0;
  }
  flush(id, c);
}

void IoThread::handle_frame(uint64_t id, Conn& c, const char* data, size_t size) {
  ClusterState& st = server_.state();
  BrokerNode* b = st.broker(c.broker);
  Writer out = Responder::begin();
  c.busy = true;
  Outcome o;
  int32_t corr = 0;
  try {
    Reader in(data, size);
    const int16_t key = in.i16();
    const int16_t ver = in.i16();
    corr = in.i32();
    auto client = in.nullable_string();
    if (!b || !b->up) {
      close_conn(id);
      return;
    }
    const ApiRange* range = find_api(key);
    if (key == api::kApiVersions && ver > range->max) {
      // A version this broker does not serve: error UNSUPPORTED_VERSION in the
      // version 0 layout plus the served ranges, so the client retries with
      // one of them.
      write_api_versions_v0(out, err::kUnsupportedVersion);
      o = Outcome::kRespond;
    } else if (!range || ver < range->min || ver > range->max) {
      // Kafka closes the connection for a version it does not serve.
      close_conn(id);
      return;
    } else {
      RequestContext ctx(st, *b, *this);
      ctx.api_key = key;
      ctx.api_version = ver;
      ctx.correlation_id = corr;
      ctx.client_id = client.value_or("");
      ctx.forced_error = b->take_error(key);
      ctx.conn_id = id;
      dispatching_ = true;
      try {
        o = server_.dispatch(ctx, in, out);
      } catch (...) {
        dispatching_ = false;
        throw;
      }
      dispatching_ = false;
      if (o == Outcome::kParked) {
        auto it = conns_.find(id);
        if (it != conns_.end()) it->second.parked = ctx.parked;
        return;
      }
    }
  } catch (const CodecError&) {
    close_conn(id);  // a malformed request: Kafka drops the connection too
    return;
  }
  if (o == Outcome::kNoResponse) {
    c.busy = false;
    return;
  }
  out.patch_i32(0, int32_t(out.size() - 4));
  out.patch_i32(4, corr);
  if (b->delay_ms.load() > 0) {
    complete(id, out.take());
    return;
  }
  c.out.append(out.buffer());
  c.busy = false;
}

void IoThread::complete(uint64_t id, std::string frame) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  it->second.parked.reset();
  BrokerNode* b = server_.state().broker(it->second.broker);
  const int delay = b ? b->delay_ms.load() : 0;
  if (delay > 0) {
    at(Clock::now() + std::chrono::milliseconds(delay),
       [this, id, f = std::move(frame)]() mutable { send_now(id, std::move(f)); });
    return;
  }
  send_now(id, std::move(frame));
}

void IoThread::send_now(uint64_t id, std::string frame) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if (c.out.empty())
    c.out = std::move(frame);
  else
    c.out.append(frame);
  c.busy = false;
  flush(id, c);
  process(id);
}

void IoThread::flush(uint64_t id, Conn& c) {
  while (c.out_off < c.out.size()) {
    const ssize_t n =
        ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.want_write) {
        c.want_write = true;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP | EPOLLOUT;
        ev.data.u64 = id;
        epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
      }
      return;
    }
    close_conn(id);
    return;
  }
  c.out.clear();
  c.out_off = 0;
  if (c.want_write) {
    c.want_write = false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = id;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
  }
}

void IoThread::close_conn(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  if (it->second.parked) it->second.parked->mark_closed();
  epoll_ctl(epfd_, EPOLL_CTL_DEL, it->second.fd, nullptr);
  ::close(it->second.fd);
  conns_.erase(it);
}

}  // namespace hydra::broker
