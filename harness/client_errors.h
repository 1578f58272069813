// Client errors, summarised for the console. Every Kafka client of a run
// logs through agents/kafka/kafka_log.h: an agent's lines land in its log
// file in the results folder (logs/sub-3.log, harness/agent_launcher.h), the
// controller's own (topic admin, broker check, the embedded mock cluster) in
// logs/controller.log (ControllerClientLog). After each step `hydra run`
// reads what the log files gained (LogFollower) and prints one line per
// distinct error (ClientErrorSummary) instead of librdkafka's raw lines:
//   "  sub clients: 12x Connection refused (broker 127.0.0.1:9092) — see logs/"
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace hydra {

// Counts error lines (syslog level error or worse) by who logged them and
// what they say (kafka_error_gist).
class ClientErrorSummary {
 public:
  // `source`: the log file's name without ".log" ("sub-3", "pub-0",
  // "controller"); its role is the part before '-'. Lines that are not client
  // log lines, or are less than errors, are ignored.
  void add_line(const std::string& source, const std::string& line);

  // One line per distinct (role, error), most clients first, then clears:
  // "<role> clients: <N>× <error> — see <logs_hint>", N the distinct clients
  // that logged it ("1 client" spelled out for clarity).
  std::vector<std::string> take_lines(const std::string& logs_hint);

 private:
  // (role, gist) -> the clients that logged it, and how often.
  std::map<std::pair<std::string, std::string>, std::pair<std::set<std::string>, uint64_t>> errors_;
};

// Reads what the *.log files of a folder gained since the last call, whole
// lines only (a line still being written waits for the next call).
class LogFollower {
 public:
  explicit LogFollower(std::string dir) : dir_(std::move(dir)) {}
  // Calls fn(file name without ".log", line) for each new line, file by file.
  void read_new(const std::function<void(const std::string&, const std::string&)>& fn);

 private:
  std::string dir_;
  std::map<std::string, uint64_t> offsets_;  // file name -> bytes consumed
};

// The controller's own client log lines (agents/kafka/kafka_log.h sink):
// kept in memory until open() names the file (the results folder does not
// exist during the checks before the first step), then appended to it. Only
// one may exist at a time; it restores the default sink when destroyed.
class ControllerClientLog {
 public:
  ControllerClientLog();
  ~ControllerClientLog();
  ControllerClientLog(const ControllerClientLog&) = delete;
  ControllerClientLog& operator=(const ControllerClientLog&) = delete;

  // Writes what was kept and every later line to `path`; "" or why not.
  std::string open(const std::string& path);

 private:
  void write(const std::string& line);

  std::mutex mu_;
  std::vector<std::string> pending_;  // before open(); bounded
  std::ofstream file_;
};

}  // namespace hydra
