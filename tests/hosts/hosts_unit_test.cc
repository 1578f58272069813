// Placement over hosts, the agents.* scenario keys, key files and the
// loopback rule: no processes, no network.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/curve_auth.h"
#include "harness/launcher_hosts.h"
#include "harness/scenario.h"

namespace hydra {
namespace {

namespace fs = std::filesystem;

HostSpec host(const std::string& ep, std::vector<std::string> roles, double weight) {
  HostSpec h;
  h.endpoint = ep;
  h.roles = std::move(roles);
  h.weight = weight;
  return h;
}

TEST(Placement, SpreadsSubscribersByWeightForEveryPrefix) {
  const std::vector<HostSpec> hosts{host("tcp://a:1", {"pub", "sub"}, 1),
                                    host("tcp://b:1", {"sub"}, 3)};
  const std::vector<bool> live{true, true};
  for (int n : {4, 8, 40}) {
    std::map<int, int> count;
    for (int slot = 0; slot < n; ++slot) count[place(hosts, live, "sub", slot)]++;
    EXPECT_EQ(count[0], n / 4) << n;
    EXPECT_EQ(count[1], 3 * n / 4) << n;
  }
  // Equal weights alternate, so two hosts share any number of agents evenly.
  const std::vector<HostSpec> even{host("tcp://a:1", {"sub"}, 1), host("tcp://b:1", {"sub"}, 1)};
  EXPECT_EQ(place(even, live, "sub", 0), 0);
  EXPECT_EQ(place(even, live, "sub", 1), 1);
  EXPECT_EQ(place(even, live, "sub", 2), 0);
  EXPECT_EQ(place(even, live, "sub", 3), 1);
}

// The README's example: weights 1 and 2 put agents 1, 4, 7, ... on the first.
TEST(Placement, ReadmeExampleOneToTwo) {
  const std::vector<HostSpec> hosts{host("tcp://a:1", {"pub", "sub"}, 1),
                                    host("tcp://b:1", {"sub"}, 2)};
  std::vector<int> got;
  for (int slot = 0; slot < 9; ++slot) got.push_back(place(hosts, {true, true}, "sub", slot));
  EXPECT_EQ(got, (std::vector<int>{1, 0, 1, 1, 0, 1, 1, 0, 1}));
}

TEST(Placement, PublisherGoesWhereRolesAllowAndDeadHostsAreSkipped) {
  const std::vector<HostSpec> hosts{host("tcp://a:1", {"sub"}, 5),
                                    host("tcp://b:1", {"pub", "sub"}, 1),
                                    host("tcp://c:1", {"sub"}, 1)};
  EXPECT_EQ(place(hosts, {true, true, true}, "pub", 0), 1);
  EXPECT_EQ(place(hosts, {true, false, true}, "pub", 0), -1);
  for (int slot = 0; slot < 10; ++slot)
    EXPECT_NE(place(hosts, {false, true, true}, "sub", slot), 0);
  EXPECT_EQ(place(hosts, {false, false, false}, "sub", 0), -1);
}

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("hydra-hosts-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

Scenario scenario(const std::string& body, const std::vector<std::string>& sets = {}) {
  const fs::path p = temp_dir("sc") / "s.json";
  std::ofstream(p) << body;
  return load_scenario(p.string(), sets);
}

TEST(HostsKeys, HostEntriesAreCheckedAndNormalized) {
  const Scenario sc = scenario(R"({"agents": {"insecure": true, "hosts": [
      {"endpoint": "tcp://10.0.0.2:7700", "roles": ["sub"], "weight": 2},
      {"endpoint": "tcp://10.0.0.3:7700"}]}})");
  const HostsConfig c = hosts_config(sc);
  ASSERT_EQ(c.hosts.size(), 2u);
  EXPECT_EQ(c.hosts[0].roles, std::vector<std::string>{"sub"});
  EXPECT_EQ(c.hosts[0].weight, 2);
  EXPECT_EQ(c.hosts[1].roles, (std::vector<std::string>{"pub", "sub"}));
  EXPECT_TRUE(c.remote());
  EXPECT_FALSE(hosts_config(scenario("{}")).remote());
}

TEST(HostsKeys, BadEntriesNameTheEntryAndField) {
  auto error_of = [](const std::string& body) {
    try {
      scenario(body);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of(R"({"agents": {"hosts": [{"endpoint": "10.0.0.2:7700"}]}})")
                .find("agents.hosts: entry 0: endpoint must be \"tcp://HOST:PORT\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"agents": {"hosts": [{"endpoint": "tcp://a:1", "roles": ["db"]}]}})")
                .find("roles must hold only"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"agents": {"hosts": [{"endpoint": "tcp://a:1", "weight": 0}]}})")
                .find("weight must be a number > 0"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"agents": {"hosts": [{"endpoint": "tcp://a:1", "colour": 1}]}})")
                .find("unknown field \"colour\""),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"agents": {"hosts": [{"endpoint": "tcp://a:1"}, {"endpoint": "tcp://a:1"}]}})")
          .find("listed twice"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"agents": {"hosts_from_dns": "svc"}})").find("NAME:PORT"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"broker": {"embedded": {"listen": "0.0.0.0"}}})").find("broker.embedded.listen"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"sweep": {"agents.insecure": [true, false]}})").find("cannot be swept"),
            std::string::npos);
}

TEST(HostsKeys, OffLoopbackNeedsKeysOrInsecureAndEveryRoleAHost) {
  auto config_error = [](const std::string& body) {
    try {
      hosts_config(scenario(body));
    } catch (const HostsError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(config_error(R"({"agents": {"hosts": [{"endpoint": "tcp://10.0.0.2:7700"}]}})")
                .find("off loopback: give agents.key"),
            std::string::npos);
  EXPECT_EQ(config_error(R"({"agents": {"hosts": [{"endpoint": "tcp://127.0.0.1:7700"}]}})"),
            "no error");
  EXPECT_NE(
      config_error(
          R"({"agents": {"hosts": [{"endpoint": "tcp://127.0.0.1:7700", "roles": ["sub"]}]}})")
          .find("no host has role \"pub\""),
      std::string::npos);
  EXPECT_NE(
      config_error(
          R"({"agents": {"launcher": "local", "hosts": [{"endpoint": "tcp://127.0.0.1:1"}]}})")
          .find("\"local\" runs every agent on this host"),
      std::string::npos);
  EXPECT_NE(config_error(R"({"agents": {"launcher": "ssh"}})").find("needs agents.hosts"),
            std::string::npos);
}

TEST(HostsKeys, DnsNameBecomesOneDaemonPerAddress) {
  const HostsConfig c =
      hosts_config(scenario(R"({"agents": {"hosts_from_dns": "localhost:7700"}})"));
  ASSERT_GE(c.hosts.size(), 1u);
  EXPECT_EQ(c.hosts[0].endpoint, "tcp://127.0.0.1:7700");
  EXPECT_TRUE(c.hosts[0].allows("pub") && c.hosts[0].allows("sub"));
  try {
    hosts_config(scenario(R"({"agents": {"hosts_from_dns": "no-such-host.invalid:7700"}})"));
    FAIL() << "an unresolvable name must be an error";
  } catch (const HostsError& e) {
    EXPECT_NE(std::string(e.what()).find("no A record"), std::string::npos);
  }
}

TEST(CurveKeys, FilesRoundTripAndSecretsAreNotWorldReadable) {
  const fs::path dir = temp_dir("keys");
  const auto [key, pub] = curve::write_key_files(dir.string(), "ctl");
  const curve::KeyPair k = curve::read_key_file(key);
  EXPECT_TRUE(curve::is_z85_key(k.public_key));
  EXPECT_TRUE(curve::is_z85_key(k.secret_key));
  EXPECT_NE(k.public_key, k.secret_key);
  EXPECT_EQ(curve::read_public_key(pub), k.public_key);
  EXPECT_EQ(curve::read_public_key(k.public_key), k.public_key);
  struct stat st {};
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  // A path that happens to be 40 Z85 characters is still read as a file.
  const fs::path looks_like_key = fs::temp_directory_path() / "hydra-z85-path-test-0123456789a.pub";
  ASSERT_EQ(looks_like_key.string().size(), 40u);
  ASSERT_TRUE(curve::is_z85_key(looks_like_key.string()));
  fs::copy_file(pub, looks_like_key, fs::copy_options::overwrite_existing);
  EXPECT_EQ(curve::read_public_key(looks_like_key.string()), k.public_key);
  fs::remove(looks_like_key);
  EXPECT_THROW(curve::write_key_files(dir.string(), "ctl"), std::runtime_error);  // no overwrite
  EXPECT_THROW(curve::read_key_file(pub), std::runtime_error);  // a .pub holds no secret
}

TEST(CurveKeys, LoopbackEndpoints) {
  EXPECT_TRUE(curve::is_loopback_endpoint("tcp://127.0.0.1:0"));
  EXPECT_TRUE(curve::is_loopback_endpoint("tcp://localhost:7700"));
  EXPECT_TRUE(curve::is_loopback_endpoint("tcp://[::1]:7700"));
  EXPECT_TRUE(curve::is_loopback_endpoint("ipc:///tmp/x"));
  EXPECT_FALSE(curve::is_loopback_endpoint("tcp://10.0.0.2:7700"));
  EXPECT_FALSE(curve::is_loopback_endpoint("tcp://0.0.0.0:7700"));
  EXPECT_FALSE(curve::is_loopback_endpoint("tcp://*:7700"));
  EXPECT_EQ(curve::with_host("tcp://0.0.0.0:4242", "10.1.2.3"), "tcp://10.1.2.3:4242");
}

}  // namespace
}  // namespace hydra
