#include "harness/launcher_hosts.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <set>

#include "harness/launcher_daemons.h"
#include "harness/launcher_ssh.h"
#include "harness/scenario.h"

namespace hydra {

bool HostSpec::allows(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::vector<std::string> resolve_ipv4(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::set<std::string> out;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) == 0) {
    for (addrinfo* a = res; a; a = a->ai_next) {
      char buf[INET_ADDRSTRLEN];
      const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf)) out.insert(buf);
    }
    freeaddrinfo(res);
  }
  std::vector<std::string> v(out.begin(), out.end());
  // Numeric order, not text order (10.0.0.10 after 10.0.0.9).
  std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) {
    in_addr x{}, y{};
    inet_pton(AF_INET, a.c_str(), &x);
    inet_pton(AF_INET, b.c_str(), &y);
    return ntohl(x.s_addr) < ntohl(y.s_addr);
  });
  return v;
}

HostsConfig hosts_config(const Scenario& sc) {
  HostsConfig c;
  c.launcher = scenario_value(sc, "agents.launcher").get<std::string>();
  c.hosts_from_dns = scenario_value(sc, "agents.hosts_from_dns").get<std::string>();
  c.server_key = scenario_value(sc, "agents.server_key").get<std::string>();
  c.insecure = scenario_value(sc, "agents.insecure").get<bool>();
  c.remote_agent = scenario_value(sc, "agents.remote_agent").get<std::string>();
  c.clock_share = scenario_value(sc, "agents.clock_share").get<double>();
  for (const auto& h : scenario_value(sc, "agents.hosts")) {
    HostSpec s;
    s.endpoint = h.at("endpoint").get<std::string>();
    if (h.contains("roles")) s.roles = h["roles"].get<std::vector<std::string>>();
    s.weight = h.value("weight", 1.0);
    s.server_key = h.value("server_key", std::string());
    s.ssh = h.value("ssh", std::string());
    if (h.contains("serve_args")) s.serve_args = h["serve_args"].get<std::vector<std::string>>();
    c.hosts.push_back(std::move(s));
  }
  if (!c.hosts_from_dns.empty()) {
    const size_t colon = c.hosts_from_dns.rfind(':');
    const std::string name = c.hosts_from_dns.substr(0, colon);
    const std::string port = c.hosts_from_dns.substr(colon + 1);
    const auto addrs = resolve_ipv4(name);
    if (addrs.empty())
      throw HostsError("agents.hosts_from_dns: " + name + " has no A record (is the headless " +
                       "Service up, and its pods ready?)");
    for (const auto& a : addrs) {
      HostSpec s;
      s.endpoint = "tcp://" + a + ":" + port;
      c.hosts.push_back(std::move(s));
    }
  }
  if (c.launcher == "local" && !c.hosts.empty())
    throw HostsError(
        "agents.launcher \"local\" runs every agent on this host: drop agents.hosts "
        "and agents.hosts_from_dns, or use \"daemons\" or \"ssh\"");
  if (c.launcher == "ssh" && c.hosts.empty())
    throw HostsError("agents.launcher \"ssh\" needs agents.hosts (the daemons to start)");
  if (c.hosts.empty()) return c;
  for (const char* role : {"pub", "sub"})
    if (std::none_of(c.hosts.begin(), c.hosts.end(),
                     [&](const HostSpec& h) { return h.allows(role); }))
      throw HostsError(std::string("agents.hosts: no host has role \"") + role +
                       "\" (every run needs one publisher and its subscribers)");
  const std::string key_path = scenario_value(sc, "agents.key").get<std::string>();
  try {
    if (!key_path.empty()) c.key = curve::read_key_file(key_path);
  } catch (const std::exception& e) {
    throw HostsError(std::string("agents.key: ") + e.what());
  }
  for (const auto& h : c.hosts) {
    const bool loopback = curve::is_loopback_endpoint(h.endpoint);
    if (c.key && h.server_key.empty() && c.server_key.empty())
      throw HostsError("agents.hosts " + h.endpoint +
                       ": agents.key is given but not the daemon's public key (agents.server_key, "
                       "or server_key in the host entry)");
    if (!c.key && !loopback && !c.insecure)
      throw HostsError("agents.hosts " + h.endpoint +
                       " is off loopback: give agents.key and agents.server_key (CurveZMQ; "
                       "`hydra keys` writes the pairs), or agents.insecure true for plain TCP");
  }
  return c;
}

int place(const std::vector<HostSpec>& hosts, const std::vector<bool>& live,
          const std::string& role, int slot) {
  std::vector<size_t> eligible;
  double total = 0;
  for (size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].allows(role) && (i >= live.size() || live[i]) && hosts[i].weight > 0) {
      eligible.push_back(i);
      total += hosts[i].weight;
    }
  if (eligible.empty()) return -1;
  // Smooth weighted round robin: each turn every host gains its weight, the
  // one with the most goes and pays the total.
  std::vector<double> current(eligible.size(), 0);
  size_t pick = 0;
  for (int turn = 0; turn <= slot; ++turn) {
    pick = 0;
    for (size_t k = 0; k < eligible.size(); ++k) {
      current[k] += hosts[eligible[k]].weight;
      if (current[k] > current[pick] + 1e-9) pick = k;
    }
    current[pick] -= total;
  }
  return int(eligible[pick]);
}

std::unique_ptr<Launcher> make_launcher(const HostsConfig& cfg, AgentLauncher& local,
                                        int control_timeout_ms) {
  if (!cfg.remote()) return std::make_unique<LocalLauncher>(local);
  if (cfg.launcher == "ssh") return std::make_unique<SshLauncher>(cfg, control_timeout_ms);
  auto d = std::make_unique<DaemonLauncher>(cfg, control_timeout_ms);
  d->connect_all();
  return d;
}

}  // namespace hydra
