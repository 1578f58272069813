#include "agents/daemon.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agents/daemon_protocol.h"
#include "common/clock.h"
#include "common/protocol.h"

namespace hydra {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

std::string hostname() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string now_text() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// /proc/stat's first line: busy and total CPU time of the whole host, ns.
void read_cpu(json& out) {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  uint64_t v, total = 0, idle = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  const double ns_per_tick = 1e9 / double(sysconf(_SC_CLK_TCK));
  out["cpu_busy_ns"] = uint64_t(double(total - idle) * ns_per_tick);
  out["cpu_total_ns"] = uint64_t(double(total) * ns_per_tick);
  out["cores"] = int(sysconf(_SC_NPROCESSORS_ONLN));
}

// /proc/net/dev of this network namespace: bytes over every interface but lo.
void read_net(json& out) {
  std::ifstream in("/proc/net/dev");
  std::string line;
  uint64_t rx = 0, tx = 0;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream f(line.substr(colon + 1));
    uint64_t r[16] = {0};
    for (auto& x : r) f >> x;
    rx += r[0];
    tx += r[8];
  }
  out["net_rx_bytes"] = rx;
  out["net_tx_bytes"] = tx;
}

std::string make_token() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << rd() << rd();
  return s.str();
}

}  // namespace

Daemon::Daemon(DaemonOptions opt)
    : opt_(std::move(opt)), ctx_(1), sock_(ctx_, zmq::socket_type::rep) {
  const bool loopback = curve::is_loopback_endpoint(opt_.listen);
  const bool secure = opt_.key.has_value();
  if (secure && opt_.allowed.empty())
    throw DaemonRefused("--key needs --allow: the controller's public key (hydra keys writes it)");
  if (!secure && !opt_.allowed.empty())
    throw DaemonRefused("--allow needs --key: the daemon's own key pair (hydra keys writes it)");
  if (!loopback && !secure && !opt_.insecure)
    throw DaemonRefused("--listen " + opt_.listen +
                        " is reachable from other hosts: give --key (this daemon's key pair) and "
                        "--allow (the controller's public key), both written by `hydra keys`, or "
                        "--insecure to accept any controller over plain TCP");
  wall_offset_ns().store(opt_.test_clock_offset_ns);
  std::vector<std::string> child_env;
  if (secure) {
    zap_ = std::make_unique<curve::ZapHandler>(ctx_, opt_.allowed,
                                               [this](const std::string& l) { log(l); });
    curve::make_server(sock_, *opt_.key);
    std::string allow;
    for (const auto& k : opt_.allowed) allow += (allow.empty() ? "" : ",") + k;
    child_env = {"HYDRA_CURVE_PUBLIC=" + opt_.key->public_key,
                 "HYDRA_CURVE_SECRET=" + opt_.key->secret_key, "HYDRA_CURVE_ALLOW=" + allow};
  }
  sock_.set(zmq::sockopt::linger, 0);
  sock_.set(zmq::sockopt::maxmsgsize, int64_t(1) << 20);
  sock_.bind(opt_.listen);
  endpoint_ = sock_.get(zmq::sockopt::last_endpoint);
  std::string host = curve::endpoint_host(endpoint_);
  children_ = std::make_unique<DaemonChildren>(opt_.agent_binary, host, child_env,
                                               opt_.insecure && !secure);
}

Daemon::~Daemon() {
  children_->kill_all(std::chrono::milliseconds(2000));
  sock_.close();
  zap_.reset();
}

void Daemon::log(const std::string& line) const {
  std::cerr << "hydra-agent serve: " << now_text() << " " << line << std::endl;
}

std::string Daemon::end_session(const std::string& why) {
  const size_t n = children_->count();
  children_->kill_all(std::chrono::milliseconds(2000));
  log("controller " + controller_ + ": " + why + "; stopped its " + std::to_string(n) +
      " agent(s)");
  session_.clear();
  controller_.clear();
  return proto::ok_reply();
}

void Daemon::check_lease() {
  if (session_.empty() || Steady::now() < lease_end_) return;
  end_session("went away (no request for " + std::to_string(lease_.count()) + " ms)");
}

std::string Daemon::handle(std::string_view frame, int64_t t1) {
  try {
    const json req = json::parse(frame, nullptr, false);
    if (!req.is_object() || !req.contains("cmd") || !req["cmd"].is_string())
      return proto::error_reply("malformed request: want a JSON object with a string \"cmd\"");
    const std::string cmd = req["cmd"];
    if (cmd == "time") return proto::ok_reply({{"t1", t1}, {"t2", wall_ns()}});
    if (cmd == "hello") {
      check_lease();
      const std::string who = req.value("controller", std::string("?"));
      if (!session_.empty()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(lease_end_ - Steady::now()).count();
        log("refused controller " + who + ": busy with " + controller_);
        return proto::error_reply("busy: this daemon serves controller " + controller_ +
                                  " (since " + since_ +
                                  "); one controller at a time (its lease lapses " +
                                  std::to_string(left + 1) + " s after its last request)");
      }
      const int64_t lease_ms = req.value("lease_ms", int64_t(10000));
      if (lease_ms < 100 || lease_ms > 3'600'000)
        return proto::error_reply("hello: lease_ms must be 100..3600000 (got " +
                                  std::to_string(lease_ms) + ")");
      session_ = make_token() + "-" + std::to_string(++sessions_);
      controller_ = who;
      since_ = now_text();
      lease_ = std::chrono::milliseconds(lease_ms);
      lease_end_ = Steady::now() + lease_;
      log("serving controller " + who + " (lease " + std::to_string(lease_ms) + " ms)");
      return proto::ok_reply({{"session", session_},
                              {"host", hostname()},
                              {"pid", int(getpid())},
                              {"version", daemon::kDaemonProtocolVersion}});
    }
    // Everything else belongs to the session.
    check_lease();
    if (session_.empty() || req.value("session", std::string()) != session_)
      return proto::error_reply(cmd + ": no session " + req.value("session", std::string("")) +
                                " here (send hello first; a lapsed lease ends the session)");
    lease_end_ = Steady::now() + lease_;
    if (cmd == "heartbeat") return proto::ok_reply();
    if (cmd == "bye") return end_session("said bye");
    if (cmd == "spawn") {
      const auto c =
          children_->spawn(req.value("role", std::string()),
                           opt_.test_clock_offset_ns + req.value("clock_correction_ns", int64_t(0)),
                           opt_.spawn_timeout);
      lease_end_ = Steady::now() + lease_;  // the spawn may have taken a while
      return proto::ok_reply({{"endpoint", c.endpoint}, {"pid", int(c.pid)}});
    }
    if (cmd == "alive") return proto::ok_reply({{"alive", children_->alive(req.value("pid", -1))}});
    if (cmd == "kill") {
      const int pid = req.value("pid", -1);
      if (children_->owns(pid)) children_->kill(pid, std::chrono::milliseconds(1000));
      return proto::ok_reply();
    }
    if (cmd == "usage") {
      json u = json::object();
      read_cpu(u);
      read_net(u);
      return proto::ok_reply(u);
    }
    return proto::error_reply("unknown command \"" + cmd +
                              "\" (hello, heartbeat, time, spawn, alive, kill, usage, bye)");
  } catch (const std::exception& e) {
    return proto::error_reply(e.what());
  }
}

void Daemon::serve(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    check_lease();
    if (!(item.revents & ZMQ_POLLIN)) continue;
    std::string frame;
    zmq::message_t part;
    if (!sock_.recv(part, zmq::recv_flags::none)) continue;
    const int64_t t1 = wall_ns();
    frame.append(part.data<char>(), part.size());
    while (part.more() && sock_.recv(part, zmq::recv_flags::none)) {
      // A request is one frame; the rest is read (REP must take it all) and dropped.
    }
    const std::string reply = handle(frame, t1);
    sock_.send(zmq::buffer(reply), zmq::send_flags::none);
  }
  if (!session_.empty()) end_session("daemon stopping");
}

}  // namespace hydra
