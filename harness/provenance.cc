#include "harness/provenance.h"

#include <librdkafka/rdkafka.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <thread>

#include "agents/kafka/kafka_factories.h"
#include "common/clock.h"
#include "common/version.h"
#include "harness/perf_summary.h"

namespace hydra {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Plain words pass bare; anything else single-quoted for a POSIX shell.
std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_./=:,+@%") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// KEY=VALUE with VALUE masked when KEY is a secret.
std::string mask_assignment(const std::string& kv) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || !is_secret_key(kv.substr(0, eq))) return kv;
  return kv.substr(0, eq + 1) + kMaskedSecret;
}

nlohmann::ordered_json masked(const KafkaPropMap& props) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : props) out[k] = is_secret_key(k) ? kMaskedSecret : v;
  return out;
}

std::string os_pretty_name() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string v = line.substr(12);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

template <typename F>
nlohmann::ordered_json config_or_error(F&& build) {
  try {
    return masked(build());
  } catch (const std::exception& e) {
    return nlohmann::ordered_json{{"error", e.what()}};
  }
}

}  // namespace

bool is_secret_key(const std::string& key) {
  const std::string k = lower(key);
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos;
}

nlohmann::ordered_json masked_secrets(nlohmann::ordered_json doc) {
  std::function<void(nlohmann::ordered_json&)> mask = [&](nlohmann::ordered_json& v) {
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        nlohmann::ordered_json& value = it.value();
        if (!is_secret_key(it.key())) {
          mask(value);
        } else if (value.is_array()) {
          for (auto& e : value)
            if (!e.is_structured()) e = kMaskedSecret;
        } else if (!value.is_structured()) {
          value = kMaskedSecret;
        } else {
          mask(value);
        }
      }
    } else if (v.is_array()) {
      for (auto& e : v) mask(e);
    }
  };
  mask(doc);
  return doc;
}

std::string masked_command_line(const std::string& program, const std::string& command,
                                const Args& args) {
  std::string out = shell_quote(program) + " " + shell_quote(command);
  bool after_set = false;
  for (const auto& a : args) {
    std::string shown = a;
    if (after_set) {
      shown = mask_assignment(a);
    } else if (a.rfind("--set=", 0) == 0) {
      shown = "--set=" + mask_assignment(a.substr(6));
    }
    after_set = a == "--set";
    out += " " + shell_quote(shown);
  }
  return out;
}

nlohmann::ordered_json host_json() {
  nlohmann::ordered_json h;
  char name[256] = {};
  h["name"] = ::gethostname(name, sizeof name - 1) == 0 ? nlohmann::ordered_json(name)
                                                        : nlohmann::ordered_json(nullptr);
  const unsigned cores = std::thread::hardware_concurrency();
  h["cores"] = cores ? nlohmann::ordered_json(cores) : nlohmann::ordered_json(nullptr);
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  h["memory_bytes"] = pages > 0 && page > 0 ? nlohmann::ordered_json(uint64_t(pages) * page)
                                            : nlohmann::ordered_json(nullptr);
  utsname u{};
  if (::uname(&u) == 0) {
    h["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.version;
    h["machine"] = u.machine;
  } else {
    h["kernel"] = nullptr;
    h["machine"] = nullptr;
  }
  const std::string os = os_pretty_name();
  h["os"] = os.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(os);
  return h;
}

Provenance::Provenance(std::string scenario_name, std::string command_line)
    : scenario_(std::move(scenario_name)),
      command_line_(std::move(command_line)),
      started_ns_(wall_ns()) {}

void Provenance::record_step(int step, const Scenario& sc, const WireTarget& target) {
  for (const auto& s : steps_)
    if (s.at("step") == step) return;
  const int per_agent =
      std::max(1, std::min(sc.subscribers.clients, sc.subscribers.clients_per_agent));
  nlohmann::ordered_json j;
  j["step"] = step;
  // Publisher agent 0's; with several (publisher.agents, publisher.generators)
  // also each one's, with its own producer id.
  const std::vector<Scenario> pubs = publisher_scenarios(sc);
  j["publisher"] = config_or_error(
      [&] { return effective_producer_properties(publisher_wire_config(pubs[0], target)); });
  if (pubs.size() > 1) {
    j["publishers"] = nlohmann::ordered_json::array();
    for (size_t k = 0; k < pubs.size(); ++k) {
      WireTarget t = target;
      t.producer_id = publisher_producer_id(target.producer_id, int(k));
      j["publishers"].push_back(config_or_error(
          [&] { return effective_producer_properties(publisher_wire_config(pubs[k], t)); }));
    }
  }
  j["subscriber"] = config_or_error([&] {
    return effective_consumer_properties(subscriber_wire_config(sc, target, 0, per_agent), 0);
  });
  steps_.push_back(std::move(j));
}

void Provenance::finish(bool interrupted) {
  ended_ns_ = wall_ns();
  interrupted_ = interrupted;
}

nlohmann::ordered_json Provenance::to_json() const {
  nlohmann::ordered_json j;
  j["scenario"] = scenario_;
  j["hydra"] = {{"version", hydra_version()}, {"git_commit", git_commit()}};
  j["librdkafka"] = {{"version", rd_kafka_version_str()}};
  j["host"] = host_json();
  j["command_line"] = command_line_;
  j["start"] = iso8601_utc(started_ns_);
  j["end"] = ended_ns_ ? nlohmann::ordered_json(iso8601_utc(ended_ns_))
                       : nlohmann::ordered_json(nullptr);  // still running
  j["interrupted"] = interrupted_;
  j["client_config_note"] =
      "librdkafka properties that differ from the library's defaults, per step, under "
      "librdkafka's canonical names (linger.ms is queue.buffering.max.ms, acks "
      "request.required.acks, bootstrap.servers metadata.broker.list); the subscriber's are "
      "client 0's (group.id differs per client); secrets masked";
  j["client_config"] = steps_;
  return j;
}

std::string Provenance::write(const std::string& path) const {
  std::ofstream out(path, std::ios::out | std::ios::trunc);
  out << to_json().dump(2) << "\n";
  out.flush();
  return out ? "" : "cannot write " + path;
}

}  // namespace hydra
