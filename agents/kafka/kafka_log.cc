#include "agents/kafka/kafka_log.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "common/clock.h"

namespace hydra {
namespace {

constexpr size_t npos() {
  return std::string::npos;
}

constexpr const char* kLevelNames[] = {"emerg",   "alert",  "crit", "error",
                                       "warning", "notice", "info", "debug"};

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}

KafkaLogSink& sink() {
  static KafkaLogSink s;
  return s;
}

void on_log(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  KafkaLogLine l;
  l.client = rk ? rd_kafka_name(rk) : "rdkafka";
  for (char& c : l.client)
    if (c == ' ') c = '_';
  l.level = level;
  l.facility = fac && *fac ? fac : "-";
  l.message = buf ? buf : "";
  for (char& c : l.message)
    if (c == '\n') c = ' ';
  const std::string text = format_kafka_log_line(wall_ns(), l);
  std::lock_guard<std::mutex> lock(sink_mutex());
  if (sink()) {
    sink()(text);
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
    std::fflush(stderr);
  }
}

}  // namespace

void set_kafka_log_callback(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, on_log);
}

void set_kafka_log_sink(KafkaLogSink s) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  sink() = std::move(s);
}

std::string format_kafka_log_line(int64_t ns, const KafkaLogLine& l) {
  const time_t secs = time_t(ns / 1000000000);
  tm t{};
  gmtime_r(&secs, &t);
  char when[40];
  std::snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, int(ns / 1000000 % 1000));
  const int level = l.level < 0 ? 0 : l.level > 7 ? 7 : l.level;
  return std::string(when) + " kafka " + l.client + " " + kLevelNames[level] + " " + l.facility +
         " " + l.message;
}

std::optional<KafkaLogLine> parse_kafka_log_line(const std::string& text) {
  std::istringstream in(text);
  std::string when, tag, level;
  KafkaLogLine l;
  if (!(in >> when >> tag >> l.client >> level >> l.facility) || tag != "kafka" ||
      when.size() < 20 || when.back() != 'Z')
    return std::nullopt;
  l.level = -1;
  for (int i = 0; i < 8; ++i)
    if (level == kLevelNames[i]) l.level = i;
  if (l.level < 0) return std::nullopt;
  std::getline(in, l.message);
  if (!l.message.empty() && l.message.front() == ' ') l.message.erase(0, 1);
  return l;
}

std::string kafka_error_gist(const std::string& message) {
  std::string m = message;
  auto drop_prefix = [&m](size_t end) { m = m.substr(std::min(m.size(), end)); };
  // "[thrd:...]: ": which librdkafka thread said it.
  if (m.rfind("[thrd:", 0) == 0)
    if (const auto e = m.find("]: "); e != std::string::npos) drop_prefix(e + 3);
  // "hydra-sub-3#consumer-4: ": the client, which the line names already.
  if (const auto e = m.find(": "); e != std::string::npos && m.substr(0, e).find('#') != npos() &&
                                   m.substr(0, e).find(' ') == std::string::npos)
    drop_prefix(e + 2);
  if (m.rfind("GroupCoordinator: ", 0) == 0) drop_prefix(18);
  // The trailing "(after ...)" says when and how often, not what.
  if (const auto p = m.rfind(" (after "); p != std::string::npos && m.back() == ')') m.resize(p);
  // "host:port/id: rest" or "host:port: rest": the broker, then what
  // happened with it.
  std::string broker;
  if (const auto colon = m.find(": "); colon != std::string::npos) {
    const std::string head = m.substr(0, colon);
    const auto slash = head.find('/');
    const std::string addr = head.substr(0, slash);
    if (head.find(' ') == std::string::npos && addr.find(':') != std::string::npos) {
      broker = addr;
      drop_prefix(colon + 2);
    }
  }
  // "Connect to ipv4#... failed: Connection refused": the reason is the news.
  if (const auto f = m.find(" failed: "); !broker.empty() && f != std::string::npos)
    drop_prefix(f + 9);
  return broker.empty() ? m : m + " (broker " + broker + ")";
}

}  // namespace hydra
