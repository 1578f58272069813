// The hosts of a many-host run, read from the scenario's agents.* keys
// (common/settings.cc): which launcher, which daemons with which roles and
// weights, the CURVE keys, and where each agent goes. cmd_run.cc calls
// hosts_config() and make_launcher(); the daemon launcher calls place().
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/curve_auth.h"
#include "harness/launcher.h"

namespace hydra {

struct Scenario;

// One entry of agents.hosts.
struct HostSpec {
  std::string endpoint;                          // tcp://HOST:PORT of its daemon
  std::vector<std::string> roles{"pub", "sub"};  // what may run there
  double weight = 1;                             // its share of the subscriber agents
  std::string server_key;  // the daemon's public key (Z85 or a file); "" = agents.server_key
  std::string ssh;         // ssh destination (ssh launcher); "" = the endpoint's host
  std::vector<std::string> serve_args;  // extra `hydra-agent serve` arguments (ssh launcher)

  bool allows(const std::string& role) const;
};

struct HostsConfig {
  std::string launcher = "daemons";          // "daemons", "ssh" or "local"
  std::vector<HostSpec> hosts;               // empty: everything on this host
  std::string hosts_from_dns;                // "NAME:PORT": one daemon per A record
  std::optional<curve::KeyPair> key;         // the controller's pair (agents.key)
  std::string server_key;                    // agents.server_key
  bool insecure = false;                     // agents.insecure
  std::string remote_agent = "hydra-agent";  // agents.remote_agent (ssh launcher)
  double clock_share = 0.1;                  // agents.clock_share

  bool remote() const { return launcher != "local" && !hosts.empty(); }
};

// A bad agents.* setting, or a DNS name that does not resolve; what() names it.
class HostsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads agents.* from a resolved scenario; resolves agents.hosts_from_dns
// (every A record, in address order, each a daemon with both roles) and
// reads the key files. Throws HostsError.
HostsConfig hosts_config(const Scenario& sc);

// Every IPv4 address NAME has (getaddrinfo), sorted; empty when none.
std::vector<std::string> resolve_ipv4(const std::string& name);

// The host (index into `hosts`) of the `slot`-th agent of `role` among the
// hosts that allow the role and are `live`: smooth weighted round robin, so
// the first N slots are spread by weight for every N and a slot keeps its host
// as more slots are added. -1 when no live host allows the role.
int place(const std::vector<HostSpec>& hosts, const std::vector<bool>& live,
          const std::string& role, int slot);

// The launcher the scenario asks for: local (forwarding to `local`) when
// there are no hosts, else daemons or ssh. `control_timeout_ms` bounds every
// request to a daemon. Throws HostsError / std::runtime_error when a daemon
// cannot be reached or refuses.
std::unique_ptr<Launcher> make_launcher(const HostsConfig& cfg, AgentLauncher& local,
                                        int control_timeout_ms);

}  // namespace hydra
