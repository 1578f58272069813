#include "common/keys.h"

#include <cmath>

namespace hydra {

void KeySpec::check() const {
  if (count < 0) throw std::invalid_argument("keys.count: must be >= 0");
  if (distribution != "round-robin" && distribution != "uniform" && distribution != "zipf" &&
      distribution != "hot")
    throw std::invalid_argument(
        "keys.distribution: must be one of \"round-robin\", \"uniform\", \"zipf\", \"hot\" (got "
        "\"" +
        distribution + "\")");
  if (count == 0 && distribution != "round-robin")
    throw std::invalid_argument("keys.distribution \"" + distribution +
                                "\" needs keys.count >= 1 (0 means unkeyed)");
  if (!(exponent > 0) || !std::isfinite(exponent))
    throw std::invalid_argument("keys.exponent: must be a number > 0");
  if (!(hot_fraction >= 0 && hot_fraction <= 1))
    throw std::invalid_argument("keys.hot_fraction: must be a number in 0..1");
}

KeyChooser::KeyChooser(const KeySpec& spec) : count_(uint32_t(spec.count < 1 ? 1 : spec.count)) {
  // A zero state would still work (splitmix adds before mixing); the seed is
  // mixed so seeds 1 and 2 do not give shifted copies of one sequence.
  state_ = spec.seed * 0xD1B54A32D192ED03ull + 1;
  if (spec.distribution == "round-robin") {
    kind_ = Kind::kRoundRobin;
    return;
  }
  if (spec.distribution == "uniform") {
    kind_ = Kind::kUniform;
    return;
  }
  kind_ = Kind::kAlias;
  const size_t n = count_;
  prob_.assign(n, 0.0);
  if (spec.distribution == "zipf") {
    double sum = 0;
    for (size_t k = 0; k < n; ++k) sum += prob_[k] = 1.0 / std::pow(double(k + 1), spec.exponent);
    for (double& p : prob_) p /= sum;
  } else {  // hot
    if (n == 1) {
      prob_[0] = 1.0;
    } else {
      prob_[0] = spec.hot_fraction;
      for (size_t k = 1; k < n; ++k) prob_[k] = (1.0 - spec.hot_fraction) / double(n - 1);
    }
  }
  // Vose's alias method: every column holds its own key with probability
  // threshold/2^32 and its alias otherwise, so one draw picks a key.
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t k = 0; k < n; ++k) {
    scaled[k] = prob_[k] * double(n);
    (scaled[k] < 1.0 ? small : large).push_back(uint32_t(k));
  }
  threshold_.assign(n, 0);
  alias_.assign(n, 0);
  constexpr double kOne = 4294967296.0;  // 2^32
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    threshold_[s] = uint32_t(scaled[s] * kOne);
    alias_[s] = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left holds its own key always (rounding leaves it at ~1).
  for (uint32_t k : large) threshold_[k] = UINT32_MAX, alias_[k] = k;
  for (uint32_t k : small) threshold_[k] = UINT32_MAX, alias_[k] = k;
}

double KeyChooser::probability(uint32_t k) const {
  if (k >= count_) return 0.0;
  if (kind_ != Kind::kAlias) return 1.0 / double(count_);
  return prob_[k];
}

}  // namespace hydra
