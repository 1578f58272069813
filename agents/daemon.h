// `hydra-agent serve`: the agent daemon that runs on each host of a
// many-host run. It starts publisher and subscriber agents there when the
// controller asks (agents/daemon_protocol.h lists the commands), serves one
// controller at a time (a second is refused with an error naming the first),
// and stops that controller's agents when it says bye or goes away (its lease
// lapses: no request for lease_ms). Started by hand, by systemd, over ssh
// (harness/launcher_ssh.h) or as a Kubernetes StatefulSet
// (deploy/kubernetes/); agents/main.cc parses its options.
//
// Off loopback the control socket must be authenticated: a daemon given an
// address another host can reach refuses to start without a key pair and the
// controller's public key (CurveZMQ), unless told --insecure.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "agents/daemon_children.h"
#include "common/curve_auth.h"

namespace hydra {

struct DaemonOptions {
  std::string listen;                 // ZeroMQ endpoint, tcp://HOST:PORT
  std::string agent_binary;           // the hydra-agent to start (this binary)
  std::optional<curve::KeyPair> key;  // the daemon's own pair (CURVE server)
  std::vector<std::string> allowed;   // controllers' public keys (Z85)
  bool insecure = false;              // plain TCP off loopback, by explicit choice
  int64_t test_clock_offset_ns = 0;   // tests: a made-up skew of this host's clock
  std::chrono::milliseconds spawn_timeout{10000};
};

// A configuration the daemon refuses to start with; what() says why and what
// to do instead.
class DaemonRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Daemon {
 public:
  // Checks the security rule, then binds. Throws DaemonRefused for a refused
  // configuration and zmq::error_t when the endpoint cannot be bound.
  explicit Daemon(DaemonOptions opt);
  ~Daemon();

  // The endpoint actually bound (the port filled in).
  std::string endpoint() const { return endpoint_; }

  // Serves until `stop` (checked at least every 200 ms); then stops every
  // agent it started.
  void serve(const std::atomic<bool>& stop);

  // One request frame -> its reply frame (testable without sockets). t1 is
  // when the request arrived (this host's wall ns).
  std::string handle(std::string_view frame, int64_t t1);

  // Ends a session whose lease has lapsed (serve() calls it on every wake).
  void check_lease();

  bool has_session() const { return !session_.empty(); }

 private:
  std::string end_session(const std::string& why);
  void log(const std::string& line) const;

  DaemonOptions opt_;
  zmq::context_t ctx_;
  std::unique_ptr<curve::ZapHandler> zap_;  // before sock_: it must outlive it
  zmq::socket_t sock_;
  std::string endpoint_;
  std::unique_ptr<DaemonChildren> children_;

  // The controller being served; empty when none.
  std::string session_;
  std::string controller_;
  std::string since_;
  std::chrono::milliseconds lease_{10000};
  std::chrono::steady_clock::time_point lease_end_;
  uint64_t sessions_ = 0;
};

// `hydra-agent serve ARGS...` (argv[0] is "serve"); the exit code.
int serve_main(int argc, char** argv);

}  // namespace hydra
