#include "harness/launcher_daemons.h"

#include <unistd.h>

#include <cmath>
#include <iostream>
#include <limits>

#include "common/clock.h"

namespace hydra {
namespace {

using nlohmann::json;
using ms = std::chrono::milliseconds;

constexpr int kClockExchanges = 16;
constexpr auto kHeartbeatEvery = ms(500);

std::string controller_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return std::string(buf) + " pid " + std::to_string(getpid());
}

}  // namespace

DaemonLauncher::DaemonLauncher(HostsConfig cfg, int control_timeout_ms)
    : cfg_(std::move(cfg)), timeout_(control_timeout_ms), ctx_(1) {
  for (const auto& h : cfg_.hosts) {
    auto r = std::make_unique<Remote>();
    r->endpoint = h.endpoint;
    if (cfg_.key) {
      const std::string server = h.server_key.empty() ? cfg_.server_key : h.server_key;
      r->auth = ClientAuth{*cfg_.key, curve::read_public_key(server)};
    }
    remotes_.push_back(std::move(r));
  }
}

DaemonLauncher::~DaemonLauncher() {
  disconnect();
}

void DaemonLauncher::disconnect() {
  stop_ = true;
  for (auto& r : remotes_)
    if (r->heartbeat.joinable()) r->heartbeat.join();
  // bye stops each daemon's agents and frees it for the next controller.
  for (auto& r : remotes_) {
    if (r->ctl && !r->dead && !r->session.empty())
      r->ctl->call_named("bye", {{"session", r->session}}, std::min(timeout_, ms(3000)));
    r->session.clear();
  }
  for (auto& r : remotes_) {
    r->ctl.reset();
    r->beat.reset();
  }
}

Reply DaemonLauncher::call(Remote& r, const std::string& cmd, json body) {
  body["session"] = r.session;
  return r.ctl->call_named(cmd, std::move(body), timeout_);
}

ClockOffset DaemonLauncher::measure_clock(AgentClient& daemon, int exchanges, ms timeout) {
  ClockOffset best;
  double best_rtt = std::numeric_limits<double>::infinity();
  for (int i = 0; i < exchanges; ++i) {
    const int64_t t0 = wall_ns();
    const Reply rep = daemon.call_named("time", json::object(), timeout);
    const int64_t t3 = wall_ns();
    if (!rep.ok) throw std::runtime_error(rep.error);
    const int64_t t1 = rep.body.at("t1").get<int64_t>(), t2 = rep.body.at("t2").get<int64_t>();
    const double rtt = double((t3 - t0) - (t2 - t1));
    if (rtt < best_rtt) {
      best_rtt = rtt;
      best.offset_ms = (double(t1 - t0) + double(t2 - t3)) / 2 / 1e6;
      best.rtt_ms = rtt / 1e6;
      best.uncertainty_ms = rtt / 2 / 1e6;
    }
  }
  return best;
}

void DaemonLauncher::connect_all() {
  const std::string me = controller_name();
  for (size_t i = 0; i < remotes_.size(); ++i) {
    Remote& r = *remotes_[i];
    r.address = curve::endpoint_host(r.endpoint);
    r.ctl = std::make_unique<AgentClient>(ctx_, r.endpoint, r.auth);
    r.beat = std::make_unique<AgentClient>(ctx_, r.endpoint, r.auth);
    // The lease outlasts a few missed heartbeats and a slow spawn.
    const int64_t lease_ms = std::max<int64_t>(3000, 2 * timeout_.count());
    const Reply hello =
        r.ctl->call_named("hello", {{"controller", me}, {"lease_ms", lease_ms}}, timeout_);
    if (!hello.ok) {
      const std::string why =
          hello.answered ? hello.error
                         : hello.error + (r.auth ? " (a CURVE key the daemon does not accept "
                                                   "looks the same: check --allow)"
                                                 : "");
      throw std::runtime_error("agent daemon " + r.endpoint + ": " + why);
    }
    r.session = hello.body.value("session", "");
    r.hostname = hello.body.value("host", "");
    r.clock = measure_clock(*r.ctl, kClockExchanges, timeout_);
  }
  for (auto& r : remotes_)
    r->heartbeat = std::thread([this, rp = r.get()] { heartbeat_loop(*rp); });
  connected_ = true;
}

void DaemonLauncher::mark_dead(Remote& r, const std::string& why) {
  if (r.dead) return;
  r.why_dead = why;
  r.dead = true;
  std::cerr << "hydra run: agent daemon " << r.endpoint << " is gone (" << why
            << "); its agents are failing" << std::endl;
}

void DaemonLauncher::heartbeat_loop(Remote& r) {
  while (!stop_ && !r.dead) {
    for (auto t = ms(0); t < kHeartbeatEvery && !stop_; t += ms(50))
      std::this_thread::sleep_for(ms(50));
    if (stop_) break;
    const Reply rep = r.beat->call_named("heartbeat", {{"session", r.session}}, timeout_);
    if (!rep.answered)
      mark_dead(r, "no heartbeat reply within " + std::to_string(timeout_.count()) + " ms");
    else if (!rep.ok)
      mark_dead(r, rep.error);
  }
}

LaunchedAgent DaemonLauncher::spawn(const std::string& role, int slot, ms timeout) {
  std::vector<bool> live;
  for (auto& r : remotes_) live.push_back(!r->dead);
  const int h = place(cfg_.hosts, live, role, slot);
  if (h < 0) throw std::runtime_error("no live agent host has role " + role + ": " + exhausted());
  Remote& r = *remotes_[size_t(h)];
  // The agent's clock is moved onto ours: its stamps minus the daemon's offset.
  const Reply rep =
      r.ctl->call_named("spawn",
                        {{"session", r.session},
                         {"role", role},
                         {"clock_correction_ns", int64_t(std::llround(-r.clock.offset_ms * 1e6))}},
                        std::max(timeout, timeout_));
  if (!rep.ok) {
    if (!rep.answered) mark_dead(r, rep.error);
    throw std::runtime_error("agent daemon " + r.endpoint + ": " + rep.error);
  }
  LaunchedAgent a;
  a.role = role;
  a.pid = rep.body.value("pid", -1);
  // The agent bound the daemon's own address (or 0.0.0.0): reach it where
  // the daemon was reached.
  a.endpoint = curve::with_host(rep.body.value("endpoint", ""), r.address);
  a.log_path = "stderr of agent daemon " + r.endpoint;
  a.host = r.endpoint;
  a.host_index = h;
  return a;
}

bool DaemonLauncher::alive(const LaunchedAgent& a) {
  if (a.host_index < 0 || size_t(a.host_index) >= remotes_.size()) return false;
  Remote& r = *remotes_[size_t(a.host_index)];
  if (r.dead) return false;
  const Reply rep = call(r, "alive", {{"pid", a.pid}});
  return rep.ok && rep.body.value("alive", false);
}

void DaemonLauncher::kill(const LaunchedAgent& a, ms) {
  if (a.host_index < 0 || size_t(a.host_index) >= remotes_.size()) return;
  Remote& r = *remotes_[size_t(a.host_index)];
  if (!r.dead) call(r, "kill", {{"pid", a.pid}});
}

void DaemonLauncher::kill_all(ms) {
  // The daemons stop their agents when the session ends (bye, in the
  // destructor); nothing of theirs runs here.
}

std::unique_ptr<AgentClient> DaemonLauncher::client(zmq::context_t& ctx, const LaunchedAgent& a) {
  std::optional<ClientAuth> auth;
  if (a.host_index >= 0 && size_t(a.host_index) < remotes_.size())
    auth = remotes_[size_t(a.host_index)]->auth;
  return std::make_unique<AgentClient>(ctx, a.endpoint, auth);
}

json DaemonLauncher::hosts_snapshot() {
  json out = json::object();
  for (size_t i = 0; i < remotes_.size(); ++i) {
    Remote& r = *remotes_[i];
    json h = {{"hostname", r.hostname},
              {"alive", !r.dead.load()},
              {"clock_offset_ms", r.clock.offset_ms},
              {"clock_uncertainty_ms", r.clock.uncertainty_ms}};
    if (!r.dead) {
      const Reply u = call(r, "usage", json::object());
      if (u.ok)
        for (const char* k :
             {"cpu_busy_ns", "cpu_total_ns", "cores", "net_rx_bytes", "net_tx_bytes"})
          if (u.body.contains(k)) h[k] = u.body[k];
    } else {
      h["error"] = r.why_dead;
    }
    out[r.endpoint] = h;
  }
  return out;
}

std::string DaemonLauncher::exhausted() const {
  if (!connected_) return "";
  for (const char* role : {"pub", "sub"}) {
    bool any = false;
    for (size_t i = 0; i < remotes_.size(); ++i)
      any |= cfg_.hosts[i].allows(role) && !remotes_[i]->dead;
    if (!any) return std::string("no live agent host left for role ") + role;
  }
  return "";
}

}  // namespace hydra
