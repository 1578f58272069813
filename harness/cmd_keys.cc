// hydra keys: writes a CurveZMQ key pair for authenticated control (the
// controller's, or an agent daemon's) with zmq_curve_keypair.
#include <iostream>

#include "common/curve_auth.h"
#include "harness/cli.h"
#include "harness/commands.h"

namespace po = boost::program_options;

namespace hydra {

int cmd_keys(const Args& args) {
  const CliSpec spec{
      "keys", "--out DIR [--name NAME]",
      "write a CurveZMQ key pair: DIR/NAME.key (public and secret, mode 0600) and DIR/NAME.pub",
      "Make one pair for the controller (scenario agents.key = NAME.key) and one for the agent\n"
      "daemons (hydra-agent serve --key NAME.key; the scenario's agents.server_key = its .pub).\n"
      "Give each daemon the controller's .pub with --allow. Existing files are not overwritten.\n"};
  std::string out, name = "hydra";
  po::options_description opts("options");
  opts.add_options()("out", po::value(&out)->required(), "folder to write the pair into")(
      "name", po::value(&name)->default_value(name), "file name without extension");
  po::variables_map vm;
  if (auto rc = parse_cli(spec, opts, {}, {}, args, vm)) return *rc;
  if (name.empty() || name.find('/') != std::string::npos) {
    std::cerr << "hydra keys: --name must be a file name without '/' (got \"" << name << "\")\n";
    return 2;
  }
  try {
    const auto [key, pub] = curve::write_key_files(out, name);
    std::cout << key << "\n" << pub << "\n";
  } catch (const std::exception& e) {
    std::cerr << "hydra keys: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace hydra
