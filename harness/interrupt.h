// SIGINT/SIGTERM handling for `hydra run`: the first signal asks the run to
// stop at the next check (every wait in the controller checks it), so agents
// are torn down and finished rows kept; a second one exits at once.
#pragma once

#include <atomic>

namespace hydra {

void install_interrupt_handlers();
bool interrupted();
int interrupt_signal();           // the signal received, 0 if none
void request_interrupt(int sig);  // for tests and internal aborts; 0 clears it (tests)

}  // namespace hydra
