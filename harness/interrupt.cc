#include "harness/interrupt.h"

#include <signal.h>
#include <unistd.h>

namespace hydra {
namespace {
std::atomic<int> g_signal{0};

void on_signal(int sig) {
  if (g_signal.exchange(sig) != 0) _exit(128 + sig);  // second signal: give up now
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
  return g_signal.load() != 0;
}
int interrupt_signal() {
  return g_signal.load();
}
void request_interrupt(int sig) {
  g_signal.store(sig);
}

}  // namespace hydra
