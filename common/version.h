// Which Hydra this is: the release version (CMake's project version) and the
// git commit the binary was built from. Printed by `hydra --version` and
// `hydra-agent --version`, and recorded with results.
#pragma once

namespace hydra {

// "0.1.0"
const char* hydra_version();
// `git describe --always --dirty` of the source tree at build time, or
// "unknown" outside a git checkout.
const char* git_commit();

}  // namespace hydra
