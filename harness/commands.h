// The `hydra` subcommands, one file each; main.cc only dispatches. Each takes
// the arguments after the subcommand name and returns the exit code
// (0 ok, 1 the run failed, 2 bad usage or bad scenario).
#pragma once

#include <string>
#include <vector>

namespace hydra {

using Args = std::vector<std::string>;

int cmd_run(const Args& args, const std::string& argv0);
int cmd_validate(const Args& args);
int cmd_broker(const Args& args);
int cmd_plot(const Args& args, const std::string& argv0);
int cmd_keys(const Args& args);

}  // namespace hydra
