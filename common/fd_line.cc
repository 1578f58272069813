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
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    // Wakes at least once a second so the deadline is checked even when a
    // poll is interrupted.
    if (::poll(&p, 1, int(std::min<long>(left, 1000))) <= 0) continue;
    const ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return "";
    if (c == '\n') return line;
    line += c;
    if (line.size() > 4096) return "";
  }
}

}  // namespace hydra
