#include "bench/fanout/raw_fanout.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "agents/kafka/kafka_config.h"
#include "agents/kafka/kafka_consumer.h"

namespace hydra::bench {
namespace {

struct RawConsumer {
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr;
  int fd = -1;
};

// One consumer at the end of every partition, as Hydra's groups "none".
RawConsumer make_consumer(const RawOptions& o, int id) {
  KafkaConsumerOptions ko;
  ko.bootstrap = o.bootstrap;
  ko.topic = o.topic;
  ko.group_id = "raw-fanout-" + std::to_string(getpid()) + "-" + std::to_string(id);
  ko.clients_in_process = o.clients_per_agent;
  rd_kafka_conf_t* conf = make_kafka_conf(KafkaConsumer::default_props(ko), {});
  char err[512];
  RawConsumer c;
  c.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!c.rk) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
  rd_kafka_poll_set_consumer(c.rk);
  c.queue = rd_kafka_queue_get_consumer(c.rk);
  c.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const uint64_t one = 1;
  rd_kafka_queue_io_event_enable(c.queue, c.fd, &one, sizeof one);
  rd_kafka_topic_t* t = rd_kafka_topic_new(c.rk, o.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(c.rk, 0, t, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("no metadata for " + o.topic);
  rd_kafka_topic_destroy(t);
  const int partitions = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    rd_kafka_query_watermark_offsets(c.rk, o.topic.c_str(), p, &lo, &hi, 10000);
    rd_kafka_topic_partition_list_add(parts, o.topic.c_str(), p)->offset = hi;
  }
  rd_kafka_assign(c.rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  return c;
}

void poll_loop(std::vector<RawConsumer*> mine, std::atomic<uint64_t>& count,
               std::atomic<bool>& stop) {
  pthread_setname_np(pthread_self(), "raw-poll");
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < mine.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, mine[i]->fd, &ev);
  }
  std::vector<epoll_event> events(64);
  rd_kafka_message_t* batch[64];
  while (!stop.load(std::memory_order_relaxed)) {
    const int n = epoll_wait(ep, events.data(), int(events.size()), 100);
    for (int k = 0; k < n; ++k) {
      RawConsumer* c = mine[events[size_t(k)].data.u64];
      uint64_t v;
      (void)!::read(c->fd, &v, sizeof v);
      ssize_t got;
      while ((got = rd_kafka_consume_batch_queue(c->queue, 0, batch, 64)) > 0) {
        uint64_t ok = 0;
        for (ssize_t i = 0; i < got; ++i) {
          ok += batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR;
          rd_kafka_message_destroy(batch[i]);
        }
        count.fetch_add(ok, std::memory_order_relaxed);
      }
    }
  }
  ::close(ep);
}

}  // namespace

int run_raw_child(const RawOptions& o) {
  std::vector<std::unique_ptr<RawConsumer>> consumers;
  try {
    for (int i = 0; i < o.clients; ++i)
      consumers.push_back(std::make_unique<RawConsumer>(make_consumer(o, i)));
  } catch (const std::exception& e) {
    std::cout << "error " << e.what() << std::endl;
    return 1;
  }
  std::atomic<uint64_t> count{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const int nthreads = std::max(1, std::min(o.threads, o.clients));
  for (int t = 0; t < nthreads; ++t) {
    std::vector<RawConsumer*> mine;
    for (size_t i = size_t(t); i < consumers.size(); i += size_t(nthreads))
      mine.push_back(consumers[i].get());
    threads.emplace_back(poll_loop, mine, std::ref(count), std::ref(stop));
  }
  std::cout << "ready" << std::endl;
  std::string line;
  while (std::getline(std::cin, line) && line != "quit")
    if (line == "count") std::cout << count.load() << std::endl;
  stop.store(true);
  for (auto& t : threads) t.join();
  for (auto& c : consumers) {
    rd_kafka_queue_io_event_enable(c->queue, -1, nullptr, 0);
    rd_kafka_queue_destroy(c->queue);
    rd_kafka_destroy_flags(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    ::close(c->fd);
  }
  return 0;
}

}  // namespace hydra::bench
