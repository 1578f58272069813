// One command-line style for every `hydra` subcommand: a Boost.Program_options
// table per subcommand, a usage line, `--help` printing both, and errors that
// name the bad argument and exit 2. Called by each cmd_*.cc.
#pragma once

#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "harness/commands.h"

namespace hydra {

struct CliSpec {
  std::string command;  // "run"
  std::string usage;    // "SCENARIO [--set KEY=VALUE]... [--out DIR] [--quiet]"
  std::string summary;  // one line: what the command does
  std::string details;  // printed after the option table by --help (may be empty)
};

// Parses `args` (the arguments after the subcommand) into `vm`: `options` are
// shown by --help (which is added to them), `hidden` are not (the
// positional arguments' own entries). Returns nullopt when the command should go on; otherwise the
// exit code to return: 0 after printing --help to stdout, 2 after printing
// "hydra COMMAND: WHY" and the usage to stderr.
std::optional<int> parse_cli(
    const CliSpec& spec, boost::program_options::options_description options,
    const boost::program_options::options_description& hidden,
    const boost::program_options::positional_options_description& positional, const Args& args,
    boost::program_options::variables_map& vm);

// The full help text of a subcommand (usage, summary, options, details).
std::string cli_help(const CliSpec& spec,
                     const boost::program_options::options_description& options);

}  // namespace hydra
