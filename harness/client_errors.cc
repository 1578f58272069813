#include "harness/client_errors.h"

#include <algorithm>
#include <filesystem>

#include "agents/kafka/kafka_log.h"

namespace fs = std::filesystem;

namespace hydra {
namespace {

// Lines kept before the log file exists; a broker check that fails is
// reported by the check itself, so losing the excess loses no news.
constexpr size_t kMaxPending = 1000;

}  // namespace

void ClientErrorSummary::add_line(const std::string& source, const std::string& line) {
  const auto parsed = parse_kafka_log_line(line);
  if (!parsed || parsed->level > 3) return;  // 3: syslog's "error"
  const std::string role = source.substr(0, source.find('-'));
  auto& entry = errors_[{role, kafka_error_gist(parsed->message)}];
  entry.first.insert(parsed->client);
  ++entry.second;
}

std::vector<std::string> ClientErrorSummary::take_lines(const std::string& logs_hint) {
  std::vector<std::pair<std::pair<std::string, std::string>, size_t>> order;
  for (const auto& [key, who] : errors_) order.push_back({key, who.first.size()});
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first.first != b.first.first ? a.first.first < b.first.first : a.second > b.second;
  });
  std::vector<std::string> lines;
  for (const auto& [key, clients] : order) {
    const std::string who = clients == 1 ? "1 client: " : std::to_string(clients) + "× ";
    lines.push_back(key.first + " clients: " + who + key.second + " — see " + logs_hint);
  }
  errors_.clear();
  return lines;
}

void LogFollower::read_new(const std::function<void(const std::string&, const std::string&)>& fn) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir_, ec))
    if (e.path().extension() == ".log") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    uint64_t& at = offsets_[path.filename().string()];
    in.seekg(std::streamoff(at));
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no newline yet: still being written
      at += line.size() + 1;
      fn(path.stem().string(), line);
    }
  }
}

ControllerClientLog::ControllerClientLog() {
  set_kafka_log_sink([this](const std::string& line) { write(line); });
}

ControllerClientLog::~ControllerClientLog() {
  set_kafka_log_sink({});
}

std::string ControllerClientLog::open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  file_.open(path, std::ios::out | std::ios::app);
  if (!file_) return "cannot write " + path;
  for (const auto& l : pending_) file_ << l << '\n';
  pending_.clear();
  file_.flush();
  return "";
}

void ControllerClientLog::write(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_.is_open()) {
    file_ << line << '\n';
    file_.flush();
  } else if (pending_.size() < kMaxPending) {
    pending_.push_back(line);
  }
}

}  // namespace hydra
