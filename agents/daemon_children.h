// The agent processes one daemon started (agents/daemon.h): spawned from the
// daemon's own binary, bound to the daemon's address, each killed when the
// daemon dies (--exit-with-parent) and killable one by one or all at once.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hydra {

class DaemonChildren {
 public:
  // binary: hydra-agent; bind_host: the address the agents' control sockets
  // bind (port 0); env: extra NAME=VALUE entries for the children (the CURVE
  // keys travel there, not on the command line where `ps` would show them);
  // insecure: the children's plain control sockets off loopback are allowed.
  DaemonChildren(std::string binary, std::string bind_host, std::vector<std::string> env,
                 bool insecure);
  ~DaemonChildren();

  struct Child {
    pid_t pid = -1;
    std::string role;
    std::string endpoint;
  };

  // Starts one agent and waits (bounded) for its endpoint line. Throws
  // std::runtime_error naming what failed.
  Child spawn(const std::string& role, int64_t clock_offset_ns, std::chrono::milliseconds timeout);
  bool alive(pid_t pid);
  // SIGTERM, then SIGKILL after `grace`; reaps. Only this daemon's children.
  void kill(pid_t pid, std::chrono::milliseconds grace);
  void kill_all(std::chrono::milliseconds grace);
  size_t count() const { return children_.size(); }
  bool owns(pid_t pid) const { return children_.count(pid) != 0; }

 private:
  std::string binary_;
  std::string bind_host_;
  std::vector<std::string> env_;
  bool insecure_;
  std::map<pid_t, Child> children_;
};

}  // namespace hydra
