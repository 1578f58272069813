// CPU time of another process, in total and per thread, from
// /proc/<pid>/task/*/schedstat (names from .../stat): what the fan-out bench splits into "the
// harness's own threads" and the client library's (librdkafka names its threads "rdk:...", libzmq
// "ZMQbg/...").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace hydra::bench {

struct ThreadCpu {
  std::string name;  // the thread's comm
  uint64_t cpu_ns = 0;
  uint64_t runs = 0;  // times it was put on a CPU (schedstat's 3rd field): its wake-ups
};

// Every thread of `pid` now, by thread id. Empty when the process is gone.
std::map<int, ThreadCpu> process_threads(pid_t pid);

// CPU of the process's live threads so far (threads that ended are not
// counted: the bench reads it in steady state); 0 when the process is gone.
uint64_t process_cpu_ns(pid_t pid);

// Resident set of the process, bytes (VmRSS); 0 when gone.
uint64_t process_rss_bytes(pid_t pid);

// True for threads the client libraries run (librdkafka, libzmq).
bool library_thread(const std::string& name);

// CPU each named group of threads gained between two readings (threads that
// appeared count from 0), summed by name with digits removed ("rdk:broker3"
// and "rdk:broker4" are one group).
std::map<std::string, uint64_t> cpu_by_name(const std::map<int, ThreadCpu>& before,
                                            const std::map<int, ThreadCpu>& after);
// The same grouping for the times threads were put on a CPU (wake-ups).
std::map<std::string, uint64_t> runs_by_name(const std::map<int, ThreadCpu>& before,
                                             const std::map<int, ThreadCpu>& after);

}  // namespace hydra::bench
