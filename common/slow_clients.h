// Which subscriber clients are slow on purpose (subscribers.slow.fraction):
// client id i is slow when floor((i+1)·f) > floor(i·f), so the slow ones are
// spread evenly over the ids (every 10th at f = 0.1: ids 9, 19, ...) and
// round(N·f) of the first N ids are slow. The subscriber agent
// (agents/subscriber.cc) throttles them; each reports `slow` in its stats,
// and the row computation (harness/row.cc) leaves them out of loss.
#pragma once

#include <cmath>

namespace hydra {

inline bool is_slow_client(int id, double fraction) {
  if (fraction <= 0 || id < 0) return false;
  // The epsilon keeps 0.3 · 10 (= 3.0000000000000004) from counting twice.
  constexpr double kEps = 1e-9;
  return std::floor(double(id + 1) * fraction + kEps) > std::floor(double(id) * fraction + kEps);
}

}  // namespace hydra
