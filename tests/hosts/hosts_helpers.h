// What the many-host tests share: temporary folders, results.csv and step
// JSON readers, and an agent daemon started in the background with its
// stderr kept in a file.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results_csv.h"
#include "subprocess.h"

namespace hydra::test {

namespace fs = std::filesystem;
inline const std::string kHydra = std::string(HYDRA_BIN_DIR) + "/hydra";
inline const std::string kAgent = std::string(HYDRA_BIN_DIR) + "/hydra-agent";

inline fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("hydra-hosts-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The first step's JSON of a results folder.
inline nlohmann::json first_step_json(const fs::path& out) {
  for (const auto& e : fs::directory_iterator(out / "steps"))
    if (e.path().extension() == ".json") return nlohmann::json::parse(slurp(e.path()));
  return nullptr;
}

// A daemon started in the background: `prefix` runs it (e.g. {"ip", "netns",
// "exec", NS}); its stderr goes to `log`.
struct DaemonProc {
  pid_t pid = -1;
  std::string endpoint;
  fs::path log;

  void stop() {
    if (pid > 0) stop_background(pid, SIGTERM, std::chrono::seconds(5));
    pid = -1;
  }
  void kill_hard() {
    if (pid > 0) ::kill(-pid, SIGKILL), stop_background(pid, SIGKILL, std::chrono::seconds(2));
    pid = -1;
  }
};

inline DaemonProc start_daemon(const std::vector<std::string>& prefix,
                               const std::vector<std::string>& serve_args, const fs::path& log) {
  std::string cmd = "exec";
  for (const auto& a : prefix) cmd += " '" + a + "'";
  cmd += " '" + kAgent + "' serve";
  for (const auto& a : serve_args) cmd += " '" + a + "'";
  cmd += " 2>'" + log.string() + "'";
  const Background b = start_background({"sh", "-c", cmd}, std::chrono::seconds(10));
  return DaemonProc{b.pid, b.first_line, log};
}

}  // namespace hydra::test
