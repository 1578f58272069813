#include "common/second_series.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace hydra {
namespace {

void add_into(std::vector<uint64_t>& to, const std::vector<uint64_t>& from) {
  if (to.size() < from.size()) to.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i) to[i] += from[i];
}

std::vector<uint64_t> counts_from(const nlohmann::json& j, const char* key, size_t n) {
  std::vector<uint64_t> v = j.value(key, std::vector<uint64_t>{});
  if (v.size() > n)
    throw std::invalid_argument(std::string("series.") + key + ": more entries than seconds");
  v.resize(n, 0);
  return v;
}

}  // namespace

size_t CoarseHistogram::index(int64_t v) {
  if (v < (int64_t(1) << kFirstOctave)) return 0;
  const int octave = std::bit_width(uint64_t(v)) - 1;  // floor(log2 v)
  if (octave >= kFirstOctave + kOctaves) return kBuckets - 1;
  const int sub = int((uint64_t(v) >> (octave - 3)) & (kSubBuckets - 1));
  return 1 + size_t(octave - kFirstOctave) * kSubBuckets + size_t(sub);
}

int64_t CoarseHistogram::bucket_low(size_t i) {
  if (i == 0) return 0;
  const int octave = int((i - 1) / kSubBuckets) + kFirstOctave;
  const int sub = int((i - 1) % kSubBuckets);
  return (int64_t(1) << octave) + int64_t(sub) * (int64_t(1) << (octave - 3));
}

int64_t CoarseHistogram::bucket_high(size_t i) {
  if (i == 0) return int64_t(1) << kFirstOctave;
  const int octave = int((i - 1) / kSubBuckets) + kFirstOctave;
  return bucket_low(i) + (int64_t(1) << (octave - 3));
}

CoarseHistogram& CoarseHistogram::operator+=(const CoarseHistogram& o) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  return *this;
}

int64_t CoarseHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const double want = std::max(1.0, std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * double(count_)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (double(seen) >= want) return (bucket_low(i) + bucket_high(i)) / 2;
  }
  return (bucket_low(kBuckets - 1) + bucket_high(kBuckets - 1)) / 2;
}

nlohmann::json CoarseHistogram::to_json() const {
  auto out = nlohmann::json::array();
  for (size_t i = 0; i < kBuckets; ++i)
    if (counts_[i]) out.push_back({i, counts_[i]});
  return out;
}

CoarseHistogram CoarseHistogram::from_json(const nlohmann::json& j) {
  CoarseHistogram h;
  if (!j.is_array()) throw std::invalid_argument("coarse histogram: must be an array");
  for (const auto& e : j) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number_unsigned())
      throw std::invalid_argument("coarse histogram: entries are [bucket, count]");
    const uint64_t i = e[0].get<uint64_t>(), n = e[1].get<uint64_t>();
    if (i >= kBuckets) throw std::invalid_argument("coarse histogram: bucket out of range");
    h.counts_[i] += uint32_t(n);
    h.count_ += n;
  }
  return h;
}

SeriesSpan SeriesSpan::from_json(const nlohmann::json& j) {
  SeriesSpan s;
  s.from_ns = j.at("from_ns").get<int64_t>();
  s.seconds = j.at("seconds").get<int>();
  if (s.seconds < 0 || s.seconds > kMaxSeconds)
    throw std::invalid_argument("series.seconds: must be 0.." + std::to_string(kMaxSeconds));
  return s;
}

void PublisherSeries::start(SeriesSpan s) {
  span = s;
  sent.assign(size_t(s.seconds), 0);
  acked.assign(size_t(s.seconds), 0);
  failed.assign(size_t(s.seconds), 0);
}

PublisherSeries& PublisherSeries::operator+=(const PublisherSeries& o) {
  if (!span.on()) span = o.span;
  add_into(sent, o.sent);
  add_into(acked, o.acked);
  add_into(failed, o.failed);
  return *this;
}

nlohmann::json PublisherSeries::to_json() const {
  return {{"span", span.to_json()}, {"sent", sent}, {"acked", acked}, {"failed", failed}};
}

PublisherSeries PublisherSeries::from_json(const nlohmann::json& j) {
  PublisherSeries p;
  p.span = SeriesSpan::from_json(j.at("span"));
  const size_t n = size_t(p.span.seconds);
  p.sent = counts_from(j, "sent", n);
  p.acked = counts_from(j, "acked", n);
  p.failed = counts_from(j, "failed", n);
  return p;
}

void ClientSeries::start(SeriesSpan s) {
  span = s;
  unique.assign(size_t(s.seconds), 0);
  dups.assign(size_t(s.seconds), 0);
  received.assign(size_t(s.seconds), 0);
  latency.assign(size_t(s.seconds), CoarseHistogram{});
}

ClientSeries& ClientSeries::operator+=(const ClientSeries& o) {
  if (!span.on()) span = o.span;
  add_into(unique, o.unique);
  add_into(dups, o.dups);
  add_into(received, o.received);
  if (latency.size() < o.latency.size()) latency.resize(o.latency.size());
  for (size_t i = 0; i < o.latency.size(); ++i) latency[i] += o.latency[i];
  return *this;
}

nlohmann::json ClientSeries::to_json() const {
  auto lat = nlohmann::json::array();
  for (const auto& h : latency) lat.push_back(h.to_json());
  return {{"span", span.to_json()},
          {"unique", unique},
          {"dups", dups},
          {"received", received},
          {"latency", lat}};
}

ClientSeries ClientSeries::from_json(const nlohmann::json& j) {
  ClientSeries c;
  c.span = SeriesSpan::from_json(j.at("span"));
  const size_t n = size_t(c.span.seconds);
  c.unique = counts_from(j, "unique", n);
  c.dups = counts_from(j, "dups", n);
  c.received = counts_from(j, "received", n);
  c.latency.assign(n, CoarseHistogram{});
  const auto& lat = j.value("latency", nlohmann::json::array());
  if (!lat.is_array() || lat.size() > n)
    throw std::invalid_argument("series.latency: must be an array of at most `seconds` entries");
  for (size_t i = 0; i < lat.size(); ++i) c.latency[i] = CoarseHistogram::from_json(lat[i]);
  return c;
}

}  // namespace hydra
