#include "bench/fanout/proc_threads.h"

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hydra::bench {
namespace {

uint64_t ticks_to_ns(uint64_t ticks) {
  static const long hz = sysconf(_SC_CLK_TCK);
  return ticks * (1'000'000'000ull / uint64_t(hz > 0 ? hz : 100));
}

// utime + stime (fields 14 and 15) and the comm of one stat file. The comm
// sits in parentheses and may hold spaces, so fields count from the last ')'.
bool read_stat(const std::string& path, std::string* comm, uint64_t* cpu_ns) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  if (comm) *comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  // After the comm: state is field 3, so utime (14) is the 12th from here.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  *cpu_ns = ticks_to_ns(utime + stime);
  return true;
}

}  // namespace

std::map<int, ThreadCpu> process_threads(pid_t pid) {
  std::map<int, ThreadCpu> out;
  std::error_code ec;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    ThreadCpu t;
    uint64_t ticks_ns = 0;
    if (!read_stat(e.path().string() + "/stat", &t.name, &ticks_ns)) continue;
    // schedstat's first field is the time on a CPU in ns: exact, where
    // stat's ticks lose most of a thread that runs briefly and often.
    std::ifstream sched(e.path().string() + "/schedstat");
    uint64_t waited = 0;
    if (!(sched >> t.cpu_ns))
      t.cpu_ns = ticks_ns;
    else
      sched >> waited >> t.runs;
    out[std::stoi(e.path().filename().string())] = t;
  }
  return out;
}

uint64_t process_cpu_ns(pid_t pid) {
  uint64_t ns = 0;
  for (const auto& [tid, t] : process_threads(pid)) ns += t.cpu_ns;
  return ns;
}

uint64_t process_rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

bool library_thread(const std::string& name) {
  return name.rfind("rdk:", 0) == 0 || name.rfind("ZMQbg", 0) == 0;
}

namespace {

std::map<std::string, uint64_t> by_name(const std::map<int, ThreadCpu>& before,
                                        const std::map<int, ThreadCpu>& after,
                                        uint64_t ThreadCpu::*field) {
  std::map<std::string, uint64_t> out;
  for (const auto& [tid, t] : after) {
    auto it = before.find(tid);
    const uint64_t base = it == before.end() ? 0 : it->second.*field;
    std::string key;
    for (char c : t.name)
      if (!std::isdigit(static_cast<unsigned char>(c))) key += c;
    out[key] += t.*field >= base ? t.*field - base : 0;
  }
  return out;
}

}  // namespace

std::map<std::string, uint64_t> cpu_by_name(const std::map<int, ThreadCpu>& before,
                                            const std::map<int, ThreadCpu>& after) {
  return by_name(before, after, &ThreadCpu::cpu_ns);
}

std::map<std::string, uint64_t> runs_by_name(const std::map<int, ThreadCpu>& before,
                                             const std::map<int, ThreadCpu>& after) {
  return by_name(before, after, &ThreadCpu::runs);
}

}  // namespace hydra::bench
