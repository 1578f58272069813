#include "agents/cli_options.h"

#include <iostream>

namespace hydra {

namespace po = boost::program_options;

std::optional<int> parse_options(int argc, char** argv, const po::options_description& desc,
                                 po::variables_map& vm, const char* program) {
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << program << ": " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace hydra
