#include "common/version.h"

namespace hydra {

const char* hydra_version() {
  return HYDRA_VERSION;
}

}  // namespace hydra
