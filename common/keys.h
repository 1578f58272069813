// Message keys: which of `count` keys each message carries, by the
// distribution publisher.keys names (docs/contracts.md, scenario keys):
//   round-robin  key i, i+1, ... in turn (today's integer shorthand)
//   uniform      a seeded random key, every key equally likely
//   zipf         key k with probability proportional to 1 / (k+1)^exponent
//   hot          key 0 carries hot_fraction of the messages, the others
//                share the rest evenly
// The publisher (agents/publisher.cc) builds one KeyChooser when it starts
// and calls next() once per message: the tables are built up front (Vose's
// alias method), so next() is a few arithmetic operations, no allocation and
// no search, whatever the count.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace hydra {

struct KeySpec {
  int count = 0;  // 0: unkeyed
  std::string distribution = "round-robin";
  double exponent = 1.0;      // zipf
  double hot_fraction = 0.5;  // hot
  uint64_t seed = 1;          // uniform, zipf, hot

  // Throws std::invalid_argument naming the field that is wrong.
  void check() const;
};

class KeyChooser {
 public:
  // count must be >= 1 (check() passed).
  explicit KeyChooser(const KeySpec& spec);

  // The next message's key index, 0..count-1.
  uint32_t next() {
    switch (kind_) {
      case Kind::kRoundRobin: {
        const uint32_t k = rr_;
        if (++rr_ == count_) rr_ = 0;
        return k;
      }
      case Kind::kUniform:
        return uniform(rng());
      case Kind::kAlias:
        break;
    }
    const uint64_t r = rng();
    const uint32_t col = uniform(r);
    // The low 32 bits of the same draw decide between the column and its
    // alias; uniform() used the high bits.
    return uint32_t(r) < threshold_[col] ? col : alias_[col];
  }

  // The probability of key k (for tests and expected shares); round-robin
  // and uniform: 1 / count.
  double probability(uint32_t k) const;
  uint32_t count() const { return count_; }

 private:
  enum class Kind { kRoundRobin, kUniform, kAlias };

  uint64_t rng() {
    // splitmix64: full period over 2^64, well mixed, one add and two
    // multiplies.
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Lemire's multiply-shift: an index in [0, count) from the high 32 bits.
  uint32_t uniform(uint64_t r) const { return uint32_t(((r >> 32) * uint64_t(count_)) >> 32); }

  Kind kind_ = Kind::kRoundRobin;
  uint32_t count_ = 1;
  uint32_t rr_ = 0;
  uint64_t state_ = 0;
  std::vector<double> prob_;         // per key (alias kinds)
  std::vector<uint32_t> threshold_;  // per column: keep the column when below (of 2^32)
  std::vector<uint32_t> alias_;      // per column: else this key
};

}  // namespace hydra
