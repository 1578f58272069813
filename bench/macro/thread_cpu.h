// CPU time of one thread of this process, for the figure a busy machine
// disturbs least: CPU per message on the thread each side saturates (the
// thread that calls rd_kafka_produce or rd_kafka_consumer_poll). Hydra's
// threads are private to its classes, so they are found by appearing: the
// one non-librdkafka thread that was not there before start().
#pragma once

#include <cstdint>
#include <set>

namespace hydra::bench {

// Ids of this process's threads, librdkafka's own ("rdk:...") left out.
std::set<int> app_threads();

// The one thread in app_threads() that is not in `before`; -1 when there is
// none or more than one.
int new_app_thread(const std::set<int>& before);

// The calling thread's id.
int this_thread_id();

// CPU time the thread has run, in ns (from /proc/self/task/ID/schedstat);
// -1 when the thread is gone or the kernel does not say.
int64_t thread_cpu_ns(int tid);

}  // namespace hydra::bench
