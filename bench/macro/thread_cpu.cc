#include "bench/macro/thread_cpu.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace hydra::bench {

std::set<int> app_threads() {
  std::set<int> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    const std::string id = entry.path().filename().string();
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (!std::getline(comm, name) || name.rfind("rdk:", 0) == 0) continue;
    out.insert(std::stoi(id));
  }
  return out;
}

int new_app_thread(const std::set<int>& before) {
  int found = -1;
  for (int tid : app_threads()) {
    if (before.count(tid)) continue;
    if (found != -1) return -1;
    found = tid;
  }
  return found;
}

int this_thread_id() {
  return int(::syscall(SYS_gettid));
}

int64_t thread_cpu_ns(int tid) {
  if (tid < 0) return -1;
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  long long ns = -1;
  if (!(f >> ns)) return -1;
  return ns;
}

}  // namespace hydra::bench
