#include "common/stats.h"

#include <algorithm>

namespace hydra {
namespace {

// Spans merge as a union; 0 means "none yet".
void merge_first(int64_t& a, int64_t b) {
  if (b != 0 && (a == 0 || b < a)) a = b;
}
void merge_last(int64_t& a, int64_t b) {
  a = std::max(a, b);
}

nlohmann::json seqs_to_json(const PartitionSeqs& s) {
  auto j = nlohmann::json::object();
  for (const auto& [p, seq] : s) j[std::to_string(p)] = seq;
  return j;
}

PartitionSeqs seqs_from_json(const nlohmann::json& j) {
  PartitionSeqs s;
  for (const auto& [k, v] : j.items()) s[uint32_t(std::stoul(k))] = v.get<uint64_t>();
  return s;
}

}  // namespace

uint64_t ProducerWindow::size() const {
  uint64_t n = 0;
  for (const auto& [p, end] : until) {
    auto it = from.find(p);
    const uint64_t start = it == from.end() ? 0 : it->second;
    if (end > start) n += end - start;
  }
  return n;
}

nlohmann::json ProducerWindow::to_json() const {
  return {
      {"producer_id", producer_id}, {"from", seqs_to_json(from)}, {"until", seqs_to_json(until)}};
}

ProducerWindow ProducerWindow::from_json(const nlohmann::json& j) {
  ProducerWindow w;
  w.producer_id = j.at("producer_id").get<uint32_t>();
  w.from = seqs_from_json(j.at("from"));
  w.until = seqs_from_json(j.at("until"));
  return w;
}

PublisherStats& PublisherStats::operator+=(const PublisherStats& o) {
#define HYDRA_FIELD(n) n += o.n;
  HYDRA_PUBLISHER_COUNTERS(HYDRA_FIELD)
  HYDRA_PUBLISHER_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  merge_first(first_send_ns, o.first_send_ns);
  merge_last(last_send_ns, o.last_send_ns);
  merge_first(since_ns, o.since_ns);
  merge_last(until_ns, o.until_ns);
  series += o.series;
  return *this;
}

nlohmann::json PublisherStats::to_json() const {
  nlohmann::json j;
#define HYDRA_FIELD(n) j[#n] = n;
  HYDRA_PUBLISHER_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
#define HYDRA_FIELD(n) j[#n] = n.to_json();
  HYDRA_PUBLISHER_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  j["first_send_ns"] = first_send_ns;
  j["last_send_ns"] = last_send_ns;
  j["since_ns"] = since_ns;
  j["until_ns"] = until_ns;
  if (series.span.on()) j["series"] = series.to_json();
  return j;
}

PublisherStats PublisherStats::from_json(const nlohmann::json& j) {
  PublisherStats s;
#define HYDRA_FIELD(n) s.n = j.at(#n).get<uint64_t>();
  HYDRA_PUBLISHER_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
#define HYDRA_FIELD(n) s.n = Histogram::from_json(j.at(#n));
  HYDRA_PUBLISHER_HISTOGRAMS(HYDRA_FIELD)
#undef HYDRA_FIELD
  s.first_send_ns = j.at("first_send_ns").get<int64_t>();
  s.last_send_ns = j.at("last_send_ns").get<int64_t>();
  s.since_ns = j.at("since_ns").get<int64_t>();
  s.until_ns = j.at("until_ns").get<int64_t>();
  if (j.contains("series")) s.series = PublisherSeries::from_json(j.at("series"));
  return s;
}

ClientStats& ClientStats::operator+=(const ClientStats& o) {
#define HYDRA_FIELD(n) n += o.n;
  HYDRA_CLIENT_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
  latency += o.latency;
  merge_first(first_recv_ns, o.first_recv_ns);
  merge_last(last_recv_ns, o.last_recv_ns);
  ready = ready && o.ready;
  if (error.empty()) error = o.error;
  series += o.series;
  return *this;
}

nlohmann::json ClientStats::to_json() const {
  nlohmann::json j;
  j["client_id"] = client_id;
#define HYDRA_FIELD(n) j[#n] = n;
  HYDRA_CLIENT_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
  j["latency"] = latency.to_json();
  j["first_recv_ns"] = first_recv_ns;
  j["last_recv_ns"] = last_recv_ns;
  j["ready"] = ready;
  j["slow"] = slow;
  j["error"] = error;
  j["processing"] = processing;
  if (series.span.on()) j["series"] = series.to_json();
  return j;
}

ClientStats ClientStats::from_json(const nlohmann::json& j) {
  ClientStats s;
  s.client_id = j.at("client_id").get<int>();
#define HYDRA_FIELD(n) s.n = j.at(#n).get<uint64_t>();
  HYDRA_CLIENT_COUNTERS(HYDRA_FIELD)
#undef HYDRA_FIELD
  s.latency = Histogram::from_json(j.at("latency"));
  s.first_recv_ns = j.at("first_recv_ns").get<int64_t>();
  s.last_recv_ns = j.at("last_recv_ns").get<int64_t>();
  s.ready = j.at("ready").get<bool>();
  s.slow = j.value("slow", false);
  s.error = j.value("error", "");
  s.processing = j.value("processing", nlohmann::json());
  if (j.contains("series")) s.series = ClientSeries::from_json(j.at("series"));
  return s;
}

nlohmann::json ProcessUsage::to_json() const {
  return {{"cpu_ns", cpu_ns},
          {"span_ns", span_ns},
          {"rss_bytes", rss_bytes},
          {"max_rss_bytes", max_rss_bytes}};
}

ProcessUsage ProcessUsage::from_json(const nlohmann::json& j) {
  ProcessUsage u;
  u.cpu_ns = j.at("cpu_ns").get<uint64_t>();
  u.span_ns = j.value("span_ns", uint64_t(0));
  u.rss_bytes = j.at("rss_bytes").get<uint64_t>();
  u.max_rss_bytes = j.at("max_rss_bytes").get<uint64_t>();
  return u;
}

}  // namespace hydra
