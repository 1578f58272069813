// read_line_within: the first line of a pipe, or "" on EOF, on a deadline
// and on a line too long to be an endpoint.
#include "common/fd_line.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace hydra {
namespace {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Pipe {
  int fd[2];
  Pipe() { EXPECT_EQ(pipe(fd), 0); }
  ~Pipe() {
    close(fd[0]);
    if (fd[1] >= 0) close(fd[1]);
  }
  void write_all(const std::string& s) {
    ASSERT_EQ(write(fd[1], s.data(), s.size()), ssize_t(s.size()));
  }
  void close_writer() {
    close(fd[1]);
    fd[1] = -1;
  }
};

TEST(ReadLineWithin, FirstLineWithoutItsNewline) {
  Pipe p;
  p.write_all("tcp://127.0.0.1:4242\nmore\n");
  EXPECT_EQ(read_line_within(p.fd[0], Steady::now() + 2s), "tcp://127.0.0.1:4242");
}

TEST(ReadLineWithin, EofBeforeANewlineIsEmpty) {
  Pipe p;
  p.write_all("tcp://half");
  p.close_writer();
  EXPECT_EQ(read_line_within(p.fd[0], Steady::now() + 2s), "");
}

TEST(ReadLineWithin, NothingWrittenReturnsAtTheDeadline) {
  Pipe p;
  const auto t0 = Steady::now();
  EXPECT_EQ(read_line_within(p.fd[0], t0 + 200ms), "");
  EXPECT_GE(Steady::now() - t0, 200ms);
  EXPECT_LT(Steady::now() - t0, 1500ms);
}

TEST(ReadLineWithin, ALineOver4KiBIsNotAnEndpoint) {
  Pipe p;
  p.write_all(std::string(5000, 'x') + "\n");
  EXPECT_EQ(read_line_within(p.fd[0], Steady::now() + 2s), "");
}

}  // namespace
}  // namespace hydra
