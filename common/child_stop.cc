#include "common/child_stop.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <thread>

namespace hydra {

void stop_children(std::vector<pid_t> pids, std::chrono::milliseconds grace) {
  for (pid_t p : pids) ::kill(p, SIGTERM);
  // Still running: waitpid says 0; exited (now reaped) or already reaped
  // elsewhere: anything else.
  auto reap = [&pids] {
    pids.erase(std::remove_if(pids.begin(), pids.end(),
                              [](pid_t p) { return waitpid(p, nullptr, WNOHANG) != 0; }),
               pids.end());
  };
  const auto deadline = std::chrono::steady_clock::now() + grace;
  reap();
  while (!pids.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reap();
  }
  for (pid_t p : pids) {
    ::kill(p, SIGKILL);
    waitpid(p, nullptr, 0);
  }
}

}  // namespace hydra
