// Where librdkafka's own log lines go. Every configuration make_kafka_conf
// builds (agents/kafka/kafka_config.h) gets this log callback, so no client
// of Hydra prints librdkafka's raw "%3|...|FAIL|..." lines: each line is
// formatted with the client's name and handed to the process's sink. An
// agent's sink is its stderr, which the controller sends to the agent's log
// file in the results folder (harness/agent_launcher.h); the controller sets
// a sink that keeps its own clients' lines (harness/client_errors.h). The
// controller reads the lines back with parse_kafka_log_line to summarise
// client errors on the console.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <librdkafka/rdkafka.h>

namespace hydra {

// Installs Hydra's log callback on `conf`. librdkafka calls it from its own
// threads (log.queue stays false: nothing has to poll for log events), so
// sinks must be thread-safe; the callback serialises calls to the sink.
void set_kafka_log_callback(rd_kafka_conf_t* conf);

// Receives each formatted line (no trailing newline). Calls are serialised.
using KafkaLogSink = std::function<void(const std::string& line)>;
// Replaces the process's sink; an empty function restores the default, which
// writes each line to stderr.
void set_kafka_log_sink(KafkaLogSink sink);

// One client log line as it is written:
//   "<ISO 8601 UTC time> kafka <client> <level> <FACILITY> <message>"
// e.g. "2026-12-02T17:06:35.123Z kafka hydra-sub-3#consumer-4 error FAIL
// 127.0.0.1:9092/bootstrap: Connect to ... failed: Connection refused ...".
// `client` is librdkafka's name of the handle (client.id#type-n), spaces
// replaced by '_'; `level` is the syslog level's name.
struct KafkaLogLine {
  std::string client;
  int level = 7;  // syslog level: 3 = error, 4 = warning, ...
  std::string facility;
  std::string message;
};
std::string format_kafka_log_line(int64_t wall_ns, const KafkaLogLine& line);
// The line's parts, or nullopt for a line that is not a client log line.
std::optional<KafkaLogLine> parse_kafka_log_line(const std::string& text);

// What one error says, without what changes between its repetitions and
// clients ("(after 12ms in state CONNECT, 3 identical error(s) suppressed)"),
// the broker named once: "127.0.0.1:9092/bootstrap: Connect to
// ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state
// CONNECT)" -> "Connection refused (broker 127.0.0.1:9092)".
std::string kafka_error_gist(const std::string& message);

}  // namespace hydra
