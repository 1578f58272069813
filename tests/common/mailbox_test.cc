// The mailbox lets a control thread run requests on a worker thread between
// two iterations of its loop; every wait is bounded.
#include "common/mailbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace hydra {
namespace {

using namespace std::chrono_literals;

TEST(Mailbox, RunsRequestOnTheWorkerThread) {
  Mailbox box;
  box.open();
  std::atomic<bool> stop{false};
  std::thread::id worker_id;
  std::thread worker([&] {
    worker_id = std::this_thread::get_id();
    while (!stop) {
      box.serve();
      std::this_thread::sleep_for(1ms);
    }
    box.close();
  });
  std::thread::id ran_on;
  int value = 0;
  ASSERT_TRUE(box.call(
      [&] {
        ran_on = std::this_thread::get_id();
        value = 42;
      },
      2s));
  EXPECT_EQ(value, 42);
  stop = true;
  worker.join();
  EXPECT_EQ(ran_on, worker_id);
}

TEST(Mailbox, ClosedMailboxRunsOnTheCaller) {
  Mailbox box;  // never opened: no worker
  bool ran = false;
  EXPECT_TRUE(box.call([&] { ran = true; }, 10ms));
  EXPECT_TRUE(ran);
  box.open();
  box.close();
  ran = false;
  EXPECT_TRUE(box.call([&] { ran = true; }, 10ms));
  EXPECT_TRUE(ran);
}

TEST(Mailbox, TimeoutWithdrawsTheRequest) {
  Mailbox box;
  box.open();  // a worker that never serves
  std::atomic<int> runs{0};
  EXPECT_FALSE(box.call([&] { ++runs; }, 20ms));
  box.serve();  // the worker gets there late: the request is gone
  box.close();
  EXPECT_EQ(runs.load(), 0);
}

TEST(Mailbox, CloseServesAPendingRequest) {
  Mailbox box;
  box.open();
  std::atomic<bool> ran{false};
  std::thread caller([&] { EXPECT_TRUE(box.call([&] { ran = true; }, 2s)); });
  // The worker's loop ends without serving; close() must not strand the caller.
  std::this_thread::sleep_for(20ms);
  box.close();
  caller.join();
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace hydra
