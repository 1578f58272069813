// stop_children: children that exit on SIGTERM and one that ignores it are
// all gone and reaped when it returns.
#include "common/child_stop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace hydra {
namespace {

// A child that sleeps; with `ignore_term` it ignores SIGTERM.
pid_t sleeper(bool ignore_term) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (ignore_term) signal(SIGTERM, SIG_IGN);
    for (int i = 0; i < 300; ++i) usleep(100'000);  // 30 s at most
    _exit(0);
  }
  return pid;
}

bool reaped(pid_t pid) {
  errno = 0;
  return waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

TEST(StopChildren, TermThenKillAndEveryOneReaped) {
  const pid_t polite = sleeper(false);
  const pid_t stubborn = sleeper(true);
  ASSERT_GT(polite, 0);
  ASSERT_GT(stubborn, 0);
  usleep(50'000);  // let the stubborn one install its handler
  stop_children({polite, stubborn}, std::chrono::milliseconds(200));
  EXPECT_TRUE(reaped(polite));
  EXPECT_TRUE(reaped(stubborn));
}

TEST(StopChildren, AnAlreadyReapedPidIsSkipped) {
  const pid_t pid = sleeper(false);
  ASSERT_GT(pid, 0);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  stop_children({pid}, std::chrono::milliseconds(100));  // must not hang or signal another
  EXPECT_TRUE(reaped(pid));
}

}  // namespace
}  // namespace hydra
