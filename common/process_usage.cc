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
    u.max_rss_bytes = uint64_t(ru.ru_maxrss) * 1024;  // Linux reports KiB
  }
  // VmRSS is the current figure; ru_maxrss only gives the peak.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      u.rss_bytes = std::stoull(line.substr(6)) * 1024;
      break;
    }
  }
  return u;
}

}  // namespace hydra
