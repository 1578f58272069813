// A small fork-join pool for the CPU path: run(fn) calls fn(0..size-1)
// concurrently (the caller runs part 0) and returns when all parts are done.
// Used by CpuEngine to split one batch across `threads` workers; each worker
// measures its own CPU time so the stage can report it (cpu_ns).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hydra::proc {

// CPU time of the calling thread, ns.
uint64_t thread_cpu_ns();

class ThreadPool {
 public:
  explicit ThreadPool(int size);  // size - 1 worker threads
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }
  // Runs fn(i) for i in [0, size()), fn(0) on the caller. Rethrows the first
  // exception a part threw, after every part has finished.
  void run(const std::function<void(int)>& fn);
  // CPU time the worker threads spent in parts since the last call.
  uint64_t take_worker_cpu_ns() { return worker_cpu_ns_.exchange(0); }

 private:
  void worker(int index);

  const int size_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::atomic<uint64_t> worker_cpu_ns_{0};
};

}  // namespace hydra::proc
