// Runs a control-thread request on a worker thread, between two iterations of
// the worker's hot loop. The worker owns its counters and histograms outright
// (no lock per message on the hot path); the control thread asks for a snapshot
// or a reset through the mailbox and waits, with a timeout, for the worker to
// do it. Once the worker has closed the mailbox (its loop ended), requests run
// directly on the caller's thread, since nobody else touches the data.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace hydra {

class Mailbox {
 public:
  // Control side. Returns false when the worker did not get to it within
  // `timeout`; the request is then withdrawn and will never run.
  bool call(const std::function<void()>& fn, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (closed_) {
      fn();
      return true;
    }
    // One request at a time: a second caller waits its turn (bounded).
    if (!cv_.wait_for(lock, timeout, [&] { return job_ == nullptr || closed_; })) return false;
    if (closed_) {
      fn();
      return true;
    }
    auto job = std::make_shared<Job>();
    job->fn = &fn;
    job_ = job;
    pending_.store(true, std::memory_order_release);
    if (notify_) notify_();
    const bool done = cv_.wait_for(lock, timeout, [&] { return job->done || closed_; });
    if (!job->done && closed_ && job_ == job) {
      // The worker closed before serving; run it here.
      fn();
      job->done = true;
    }
    if (job_ == job) {
      job_ = nullptr;
      pending_.store(false, std::memory_order_release);
      cv_.notify_all();
    }
    return done || job->done;
  }

  // Worker side: cheap when nothing is pending (one relaxed load).
  void serve() {
    if (!pending_.load(std::memory_order_acquire)) return;
    std::lock_guard lock(mu_);
    run_pending_locked();
  }

  // Worker side, when its loop ends: serves what is pending; from now on
  // requests run on the caller's thread.
  void close() {
    std::lock_guard lock(mu_);
    run_pending_locked();
    closed_ = true;
    cv_.notify_all();
  }

  // Called (under the mailbox's lock) each time a request is posted: a
  // worker that sleeps in a wait of its own (epoll) is woken by it, instead
  // of finding the request only when its wait times out. Set before use.
  void set_notify(std::function<void()> notify) { notify_ = std::move(notify); }

  // Re-arms the mailbox for a new worker loop.
  void open() {
    std::lock_guard lock(mu_);
    closed_ = false;
  }

 private:
  void run_pending_locked() {
    if (job_ && !job_->done) {
      (*job_->fn)();
      job_->done = true;
      job_ = nullptr;
      pending_.store(false, std::memory_order_release);
      cv_.notify_all();
    }
  }

  struct Job {
    const std::function<void()>* fn = nullptr;
    bool done = false;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<Job> job_;
  std::atomic<bool> pending_{false};
  std::function<void()> notify_;
  bool closed_ = true;  // no worker yet: run requests directly
};

}  // namespace hydra
