// Reading the first line a child process writes to a pipe, within a
// deadline: how a freshly spawned hydra-agent reports its control endpoint.
// Used by the controller's launcher (harness/agent_launcher.cc) and the
// agent daemon's (agents/daemon_children.cc).
#pragma once

#include <chrono>
#include <string>

namespace hydra {

// One line (without its newline) read from `fd` before `deadline`; "" when
// none came in time, the writer closed the pipe first (EOF: the child exited
// before printing) or the line grew past 4 KiB (not an endpoint).
std::string read_line_within(int fd, std::chrono::steady_clock::time_point deadline);

}  // namespace hydra
