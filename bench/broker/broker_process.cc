#include "broker_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hydra::bench {

namespace {
// utime + stime (fields 14 and 15 of /proc/.../stat) in seconds; the name
// in parentheses may hold spaces, so fields are counted after its ')'.
double stat_cpu_s(const std::string& path, std::string* name = nullptr) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t open = s.find('('), close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return 0;
  if (name) *name = s.substr(open + 1, close - open - 1);
  std::istringstream rest(s.substr(close + 2));
  std::string f;
  unsigned long long ut = 0, st = 0;
  for (int i = 3; i <= 15 && rest >> f; ++i) {
    if (i == 14) ut = std::stoull(f);
    if (i == 15) st = std::stoull(f);
  }
  return double(ut + st) / double(sysconf(_SC_CLK_TCK));
}
}  // namespace

BrokerProcess::BrokerProcess(const std::string& hydra, const std::string& kind,
                             const std::string& topic) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(hydra.c_str(), hydra.c_str(), "broker", "--kind", kind.c_str(), "--topic", topic.c_str(),
          "--partitions", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, size_t(n));
  }
  close(out[0]);
  const size_t nl = line.find('\n');
  if (nl == std::string::npos) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("`" + hydra + " broker --kind " + kind +
                             "` printed no bootstrap line");
  }
  bootstrap_ = line.substr(0, nl);
}

BrokerProcess::~BrokerProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

double self_cpu_s() {
  return stat_cpu_s("/proc/self/stat");
}

double BrokerProcess::cpu_s() const {
  return stat_cpu_s("/proc/" + std::to_string(pid_) + "/stat");
}

std::map<std::string, double> BrokerProcess::thread_cpu_s() const {
  std::map<std::string, double> m;
  const std::string dir = "/proc/" + std::to_string(pid_) + "/task";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name;
    const double s = stat_cpu_s(e.path().string() + "/stat", &name);
    m[name] += s;
  }
  return m;
}

}  // namespace hydra::bench
