// Stopping child processes this process started, without leaving zombies:
// used by the controller's launcher (harness/agent_launcher.cc) and the agent
// daemon (agents/daemon_children.cc) for the agents they spawn.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <vector>

namespace hydra {

// SIGTERM to every pid at once (so they shut down in parallel), up to
// `grace` for them to exit, then SIGKILL to the rest; every one is reaped
// before it returns. Pids already reaped are skipped.
void stop_children(std::vector<pid_t> pids, std::chrono::milliseconds grace);

}  // namespace hydra
