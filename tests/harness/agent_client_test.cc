// AgentClient (harness/agent_client.h) against a plain REP socket: a signal
// arriving while a request waits for its reply (Ctrl-C during a control call)
// does not turn into a failed call.
#include "harness/agent_client.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace hydra {
namespace {

using namespace std::chrono_literals;

std::atomic<int> g_signals{0};
void count_signal(int) {
  g_signals.fetch_add(1);
}

TEST(AgentClient, SignalDuringTheWaitIsNotAFailure) {
  // A handler without SA_RESTART, as `hydra run` installs for SIGINT: the
  // blocking poll returns EINTR.
  struct sigaction sa {};
  struct sigaction old {};
  sa.sa_handler = count_signal;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR1, &sa, &old), 0);

  zmq::context_t ctx(1);
  zmq::socket_t rep(ctx, zmq::socket_type::rep);
  rep.set(zmq::sockopt::linger, 0);
  rep.bind("tcp://127.0.0.1:*");
  const std::string endpoint = rep.get(zmq::sockopt::last_endpoint);

  // The agent answers after 400 ms; the signal comes at 100 ms.
  std::thread agent([&] {
    zmq::message_t req;
    zmq::pollitem_t item{rep.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, 3000ms);
    if (!(item.revents & ZMQ_POLLIN)) return;
    (void)rep.recv(req);
    std::this_thread::sleep_for(400ms);
    const std::string ok = R"({"ok":true,"pong":1})";
    rep.send(zmq::buffer(ok), zmq::send_flags::none);
  });
  const pthread_t caller = pthread_self();
  std::thread signaller([caller] {
    std::this_thread::sleep_for(100ms);
    pthread_kill(caller, SIGUSR1);
  });

  AgentClient client(ctx, endpoint);
  const auto t0 = std::chrono::steady_clock::now();
  const Reply r = client.call(proto::Command::kPing, 3000ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  signaller.join();
  agent.join();
  sigaction(SIGUSR1, &old, nullptr);

  EXPECT_EQ(g_signals.load(), 1);
  EXPECT_TRUE(r.answered) << r.error;
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_GE(took, 350ms);  // it waited for the reply through the signal
}

}  // namespace
}  // namespace hydra
