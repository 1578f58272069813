// Command-line parsing shared by hydra-agent's two entry points (main.cc
// for an agent, daemon_main.cc for `hydra-agent serve`): the same help and
// bad-option behaviour for both.
#pragma once

#include <optional>

#include <boost/program_options.hpp>

namespace hydra {

// Parses argv into vm against desc. Returns the exit code when the program
// should stop here: 0 after printing the help (--help), 2 after naming a
// bad option (prefixed with `program`); nothing when it should go on.
std::optional<int> parse_options(int argc, char** argv,
                                 const boost::program_options::options_description& desc,
                                 boost::program_options::variables_map& vm, const char* program);

}  // namespace hydra
