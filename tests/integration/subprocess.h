// Small process helpers for the integration tests: run a command to
// completion with a time limit, or start one in the background and read its
// first stdout line. Every wait is bounded. Also the tests' scratch folders.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace hydra::test {

struct RunResult {
  int exit_code = -1;  // -1: killed by the time limit or a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs argv (argv[0] looked up on PATH) with `input` on stdin.
RunResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                      const std::string& input = "", const std::vector<std::string>& env = {});

struct Background {
  pid_t pid = -1;
  std::string first_line;
};

// Starts argv in its own process group; waits up to `limit` for a stdout line.
Background start_background(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                            const std::vector<std::string>& env = {});

// Sends sig and waits up to limit for the exit; returns the exit code, or -1
// when it had to be killed.
int stop_background(pid_t pid, int sig, std::chrono::milliseconds limit);

bool have_program(const std::string& name);

// An empty folder for one test's outputs: <tmp>/hydra-<name>-<pid>, emptied
// if an earlier run left it (the pid keeps parallel test processes apart).
std::filesystem::path temp_dir(const std::string& name);

}  // namespace hydra::test
