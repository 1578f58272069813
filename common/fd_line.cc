#include "common/fd_line.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>

namespace hydra {

std::string read_line_within(int fd, std::chrono::steady_clock::time_point deadline) {
  using Steady = std::chrono::steady_clock;
  std::string line;
  char c;
  while (true) {
    const auto left = deadline - Steady::now();
    if (left <= Steady::duration::zero()) return "";
    // Rounded up: a poll for the floor would wake before the deadline and
    // give up early. Wakes at least once a second to check it again.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(std::min<long>(ms, 1000))) <= 0) continue;
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return "";
    if (c == '\n') return line;
    line += c;
    if (line.size() > 4096) return "";
  }
}

}  // namespace hydra
