// A `hydra broker` child process for the fan-out benchmark: a fresh broker
// of either kind per measurement point, in its own process so that its CPU
// is read apart from the clients' (/proc/PID/stat and /proc/PID/task).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace hydra::bench {

// CPU time (user + system) of this process, in seconds.
double self_cpu_s();

class BrokerProcess {
 public:
  // Runs `hydra broker --kind KIND --topic TOPIC --partitions 1` and waits
  // up to 20 s for its bootstrap line. Throws std::runtime_error.
  BrokerProcess(const std::string& hydra, const std::string& kind, const std::string& topic);
  ~BrokerProcess();  // SIGTERM, then SIGKILL after 10 s
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }
  // CPU time of the whole process (user + system), in seconds.
  double cpu_s() const;
  // CPU seconds per thread name (threads of one name summed).
  std::map<std::string, double> thread_cpu_s() const;

 private:
  pid_t pid_ = -1;
  std::string bootstrap_;
};

}  // namespace hydra::bench
