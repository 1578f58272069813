// read_process_usage() reports this process's own memory: its peak is its
// own, not the peak of the process that spawned it (Linux's ru_maxrss carries
// the spawner's over exec, which made late-spawned agents look 10x bigger).
#include "common/process_usage.h"

#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace hydra {
namespace {

constexpr const char* kOutEnv = "HYDRA_PROCESS_USAGE_TEST_OUT";

TEST(ProcessUsage, PeakCoversCurrent) {
  const ProcessUsage u = read_process_usage();
  EXPECT_GT(u.rss_bytes, 0u);
  EXPECT_GE(u.max_rss_bytes, u.rss_bytes);
  EXPECT_GT(u.cpu_ns, 0u);
  // Run as the child of the test below: hand the figure back.
  if (const char* out = std::getenv(kOutEnv)) std::ofstream(out) << u.max_rss_bytes << "\n";
}

TEST(ProcessUsage, PeakIsNotTheSpawnersPeak) {
  // Make this process big (256 MiB touched), as a controller hosting a
  // broker's log is, then spawn a small process the way agents are spawned.
  constexpr size_t kBig = 256u << 20;
  void* big = mmap(nullptr, kBig, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(big, MAP_FAILED);
  std::memset(big, 1, kBig);
  ASSERT_GE(read_process_usage().max_rss_bytes, kBig);

  const std::string out = ::testing::TempDir() + "process_usage_child_" + std::to_string(getpid());
  const std::string env = std::string(kOutEnv) + "=" + out;
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  envp.push_back(const_cast<char*>(env.c_str()));
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", filter = "--gtest_filter=ProcessUsage.PeakCoversCurrent";
  char* argv[] = {exe.data(), filter.data(), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  munmap(big, kBig);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child test failed";
  uint64_t child_peak = 0;
  std::ifstream(out) >> child_peak;
  std::remove(out.c_str());
  EXPECT_GT(child_peak, 0u);
  // A test binary peaks at a few MiB; the spawner's 256 MiB must not show.
  EXPECT_LT(child_peak, uint64_t(64) << 20) << "child peak " << child_peak << " bytes";
}

}  // namespace
}  // namespace hydra
