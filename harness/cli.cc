#include "harness/cli.h"

#include <iostream>
#include <sstream>

namespace po = boost::program_options;

namespace hydra {

std::string cli_help(const CliSpec& spec, const po::options_description& options) {
  std::ostringstream out;
  out << "usage: hydra " << spec.command << " " << spec.usage << "\n\n" << spec.summary << "\n\n";
  out << options;
  if (!spec.details.empty()) out << "\n" << spec.details;
  if (out.str().back() != '\n') out << "\n";
  out << "\nexit codes: 0 ok, 1 the run failed, 2 bad usage or bad scenario (nothing started)\n";
  return out.str();
}

std::optional<int> parse_cli(const CliSpec& spec, po::options_description options,
                             const po::options_description& hidden,
                             const po::positional_options_description& positional, const Args& args,
                             po::variables_map& vm) {
  options.add_options()("help,h", "show this help");
  po::options_description all;
  all.add(options).add(hidden);
  try {
    // Long options only with "--"; a value that starts with '-' (acks=-1)
    // is still a value.
    const auto style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(all).positional(positional).style(style).run(),
              vm);
    if (vm.count("help")) {
      std::cout << cli_help(spec, options);
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "hydra " << spec.command << ": " << e.what() << "\nusage: hydra " << spec.command
              << " " << spec.usage << "\n(hydra " << spec.command << " --help for every option)\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace hydra
