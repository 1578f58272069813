// The MLP kind's fixed weights: deterministic, so every processor (CPU or GPU,
// any agent) scores a record the same.
#include <cmath>

#include "agents/processing/kinds.h"

namespace hydra::proc {
namespace {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [-a, a).
  float uniform(float a) { return a * (float(next() >> 40) * (2.0f / (1 << 24)) - 1.0f); }
};

}  // namespace

MlpWeights make_mlp_weights(uint64_t seed) {
  MlpWeights w;
  SplitMix64 rng{seed};
  const float a1 = std::sqrt(6.0f / kC), a2 = std::sqrt(6.0f / kH), a3 = std::sqrt(3.0f / kH);
  for (auto& row : w.w1)
    for (float& v : row) v = rng.uniform(a1);
  for (float& v : w.b1) v = rng.uniform(0.1f);
  for (auto& row : w.w2)
    for (float& v : row) v = rng.uniform(a2);
  for (float& v : w.b2) v = rng.uniform(0.1f);
  for (float& v : w.w3) v = rng.uniform(a3);
  w.b3 = 0;
  return w;
}

}  // namespace hydra::proc
