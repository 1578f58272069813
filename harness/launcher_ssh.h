// The daemon launcher with its daemons started over ssh: for each host of
// agents.hosts the controller runs
//   ssh DEST AGENT serve --listen ENDPOINT --stop-on-stdin-eof [serve_args...]
// (DEST: the host entry's "ssh", else the endpoint's host; AGENT:
// agents.remote_agent; ssh reads the user's own ~/.ssh/config), reads the
// daemon's endpoint line, then goes on as DaemonLauncher. At the end it says
// bye and closes ssh's stdin, which stops the daemon; ssh is killed if it
// lingers. $HYDRA_SSH replaces "ssh" (a command line split on spaces; the
// tests use it to run the daemon inside a network namespace).
#pragma once

#include <sys/types.h>

#include <vector>

#include "harness/launcher_daemons.h"

namespace hydra {

class SshLauncher final : public DaemonLauncher {
 public:
  // Starts every daemon and connects. Throws std::runtime_error naming the
  // host whose daemon did not come up (its ssh's stderr is passed through).
  SshLauncher(HostsConfig cfg, int control_timeout_ms);
  ~SshLauncher() override;

  // The argv that starts host i's daemon.
  static std::vector<std::string> command(const HostsConfig& cfg, size_t i);

 private:
  void stop_all();

  struct Ssh {
    pid_t pid = -1;
    int stdin_fd = -1;
  };
  std::vector<Ssh> ssh_;
};

}  // namespace hydra
