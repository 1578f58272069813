#include "common/process_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace hydra {

ProcessUsage read_process_usage() {
  ProcessUsage u;
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    auto ns = [](const timeval& tv) {
      return uint64_t(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1000;
    };
    u.cpu_ns = ns(ru.ru_utime) + ns(ru.ru_stime);
  }
  // VmRSS is the current figure, VmHWM this process image's peak. Not
  // ru_maxrss: Linux carries the spawner's peak over exec into it (the
  // controller's, embedded broker and all, when it spawned this agent), so an
  // agent spawned late in a run "peaked" at the controller's size.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      u.rss_bytes = std::stoull(line.substr(6)) * 1024;  // the kernel reports kB
    else if (line.rfind("VmHWM:", 0) == 0)
      u.max_rss_bytes = std::stoull(line.substr(6)) * 1024;
  }
  return u;
}

}  // namespace hydra
