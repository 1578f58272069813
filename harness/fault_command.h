// A fault timeline's `command` action (fault_timeline.h): runs a user's shell
// command with /bin/sh -c (e.g. `docker stop kafka-2` against a real
// cluster), bounded by a timeout, and keeps its exit status and the start of
// its output for the step's results. Called on a thread of its own so the
// step's sampling and the other faults keep their times.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace hydra {

struct CommandOutcome {
  int exit_status = -1;  // when it exited; -1 otherwise
  int signal = 0;        // the signal that ended it (a timeout: SIGKILL)
  bool timed_out = false;
  std::string output;  // stdout and stderr together, the first kMaxOutput bytes
  std::string error;   // it could not be started
  double seconds = 0;  // how long it ran

  static constexpr size_t kMaxOutput = 4096;
  bool ok() const { return error.empty() && !timed_out && exit_status == 0; }
  nlohmann::json to_json() const;
};

// Runs `command`; after `timeout_s` its whole process group is killed.
CommandOutcome run_command(const std::string& command, double timeout_s);

}  // namespace hydra
