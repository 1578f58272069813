#include "harness/report_html.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/csv_reporter.h"
#include "harness/provenance.h"

namespace fs = std::filesystem;

namespace hydra {
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "";
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Marks every image loaded or not once the page has loaded; a broken one gets
// a visible note in its caption.
constexpr const char* kImageCheck = R"(<script>
window.addEventListener('load', function () {
  document.querySelectorAll('img').forEach(function (img) {
    var ok = img.complete && img.naturalWidth > 0;
    img.setAttribute('data-loaded', ok ? 'yes' : 'no');
    if (!ok) {
      var note = document.createElement('strong');
      note.textContent = ' (image failed to load)';
      img.parentNode.appendChild(note);
    }
  });
  document.body.setAttribute('data-checked', 'yes');
});
</script>
)";

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.text { text-align: left; }
tr.failed td { background: #fde8e8; } tr.skipped td { color: #888; }
.scroll { overflow: auto; max-height: 32em; border: 1px solid #ddd; }
pre { background: #f7f7f7; padding: 0.6em; overflow: auto; max-height: 30em; }
figure { margin: 1em 0; } img { max-width: 100%; border: 1px solid #eee; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; }
dt { font-weight: bold; }
</style>
)";

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

std::string json_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// "25275990016" -> "23.5 GiB (25275990016 bytes)".
std::string gib(const std::string& bytes) {
  if (!is_number(bytes)) return bytes;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.1f GiB (%s bytes)",
                std::strtod(bytes.c_str(), nullptr) / 1073741824.0, bytes.c_str());
  return buf;
}

std::string provenance_section(const fs::path& dir) {
  std::string out = "<h2 id=\"provenance\">Provenance</h2>\n";
  const std::string text = slurp(dir / "run.json");
  if (text.empty())
    return out + "<p>No run.json in this folder (a run from before Hydra wrote it).</p>\n";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return out + "<p>run.json is not valid JSON: " + html_escape(e.what()) + "</p>\n";
  }
  const auto get = [&](std::initializer_list<const char*> path) -> std::string {
    const nlohmann::json* v = &j;
    for (const char* k : path) {
      if (!v->is_object() || !v->contains(k)) return "";
      v = &v->at(k);
    }
    return v->is_null() ? "" : json_text(*v);
  };
  const std::pair<const char*, std::string> facts[] = {
      {"Hydra", get({"hydra", "version"}) + " (" + get({"hydra", "git_commit"}) + ")"},
      {"librdkafka", get({"librdkafka", "version"})},
      {"host", get({"host", "name"})},
      {"cores", get({"host", "cores"})},
      {"memory", gib(get({"host", "memory_bytes"}))},
      {"kernel", get({"host", "kernel"}) + " " + get({"host", "machine"})},
      {"OS", get({"host", "os"})},
      {"command line", get({"command_line"})},
      {"start (UTC)", get({"start"})},
      {"end (UTC)", get({"end"})},
      {"interrupted", get({"interrupted"})},
  };
  out += "<dl>\n";
  for (const auto& [k, v] : facts)
    out += "<dt>" + html_escape(k) + "</dt><dd>" + html_escape(v.empty() ? "-" : v) + "</dd>\n";
  out += "</dl>\n";
  if (j.contains("client_config") && j.at("client_config").is_array()) {
    out +=
        "<h3>Client configuration</h3>\n<p>" + html_escape(get({"client_config_note"})) + "</p>\n";
    for (const auto& step : j.at("client_config")) {
      out += "<details" + std::string(&step == &j.at("client_config").front() ? " open" : "") +
             "><summary>step " +
             html_escape(step.contains("step") ? json_text(step.at("step")) : "?") +
             "</summary>\n<table><tr><th>role</th><th>property</th><th>value</th></tr>\n";
      for (const char* role : {"publisher", "subscriber"}) {
        if (!step.contains(role) || !step.at(role).is_object()) continue;
        for (const auto& [k, v] : step.at(role).items())
          out += "<tr><td class=\"text\">" + std::string(role) + "</td><td class=\"text\">" +
                 html_escape(k) + "</td><td class=\"text\">" + html_escape(json_text(v)) +
                 "</td></tr>\n";
      }
      out += "</table></details>\n";
    }
  }
  return out;
}

std::string results_section(const fs::path& dir) {
  std::ifstream in(dir / "results.csv", std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + (dir / "results.csv").string());
  const auto recs = read_csv(in);
  std::string out = "<h2 id=\"results\">Results</h2>\n";
  if (recs.empty()) return out + "<p>results.csv is empty.</p>\n";
  const auto& header = recs.front();
  const auto status = std::find(header.begin(), header.end(), "status") - header.begin();
  // At a glance: the perf-test figures of each step (the README's column
  // table says what each is).
  const std::pair<const char*, const char*> glance[] = {
      {"status", "status"},
      {"average_tx_rate", "tx msg/s"},
      {"tx_mb_s", "tx MB/s"},
      {"average_rate", "rx msg/s per client"},
      {"rx_mb_s", "rx MB/s all clients"},
      {"average_packet_loss", "loss %"},
      {"lat_mean_ms", "e2e mean ms"},
      {"lat_p50_ms", "p50"},
      {"lat_p95_ms", "p95"},
      {"lat_p99_ms", "p99"},
      {"lat_p999_ms", "p99.9"},
      {"lat_max_ms", "max"},
      {"ack_mean_ms", "ack mean ms"},
      {"ack_p50_ms", "ack p50"},
      {"ack_p99_ms", "ack p99"},
  };
  const auto step = std::find(header.begin(), header.end(), "step") - header.begin();
  out += "<h3>At a glance</h3>\n<div class=\"scroll\"><table>\n<tr>";
  for (long c = 0; c < step + 2 && size_t(c) < header.size(); ++c)
    out += "<th>" + html_escape(header[c]) + "</th>";
  for (const auto& [col, title] : glance)
    out += "<th title=\"" + std::string(col) + "\">" + html_escape(title) + "</th>";
  out += "</tr>\n";
  for (size_t r = 1; r < recs.size(); ++r) {
    const auto& rec = recs[r];
    out += "<tr>";
    for (long c = 0; c < step + 2 && size_t(c) < rec.size(); ++c)
      out += "<td>" + html_escape(rec[c]) + "</td>";
    for (const auto& [col, title] : glance) {
      const auto c = size_t(std::find(header.begin(), header.end(), col) - header.begin());
      const std::string cell = c < rec.size() ? rec[c] : "";
      out += std::string(is_number(cell) || cell.empty() ? "<td>" : "<td class=\"text\">") +
             html_escape(cell.empty() ? "-" : cell) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table></div>\n<h3>Every column</h3>\n";
  out += "<p>" + std::to_string(recs.size() - 1) +
         " rows of results.csv (the README lists every column; an empty cell was not "
         "measured).</p>\n<div class=\"scroll\"><table>\n<tr>";
  for (const auto& h : header) out += "<th>" + html_escape(h) + "</th>";
  out += "</tr>\n";
  for (size_t r = 1; r < recs.size(); ++r) {
    const auto& rec = recs[r];
    const std::string st = size_t(status) < rec.size() ? rec[status] : "";
    out +=
        "<tr" + (st == "failed" || st == "skipped" ? " class=\"" + st + "\"" : std::string()) + ">";
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string cell = c < rec.size() ? rec[c] : "";
      out += std::string(is_number(cell) || cell.empty() ? "<td>" : "<td class=\"text\">") +
             html_escape(cell) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table></div>\n";
}

std::string plots_section(const fs::path& dir) {
  std::string out = "<h2 id=\"plots\">Plots</h2>\n";
  std::vector<fs::path> pngs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir / "plots", ec))
    if (e.path().extension() == ".png") pngs.push_back(e.path());
  if (pngs.empty())
    return out + "<p>No plots in this folder (gnuplot missing? run <code>hydra plot " +
           html_escape(dir.string()) + "</code>).</p>\n";
  // The sweep plots first, in the README's order, then the latency spectra.
  const std::vector<std::string> first = {"rx_rate", "packet_loss", "failing_clients", "latency",
                                          "processing"};
  const auto rank = [&](const fs::path& p) {
    const auto it = std::find(first.begin(), first.end(), p.stem().string());
    return std::make_pair(int(it - first.begin()), p.filename().string());
  };
  std::sort(pngs.begin(), pngs.end(),
            [&](const fs::path& a, const fs::path& b) { return rank(a) < rank(b); });
  for (const auto& p : pngs) {
    const std::string name = p.filename().string();
    out += "<figure><img alt=\"" + html_escape(name) + "\" src=\"data:image/png;base64," +
           base64(slurp(p)) + "\"><figcaption>plots/" + html_escape(name) +
           "</figcaption></figure>\n";
  }
  return out;
}

// scenario.json with the value of every key holding a secret (provenance.h:
// is_secret_key, e.g. publisher.kafka.sasl.password) masked: the page is made
// to be passed around. Text that is not JSON is shown as it is.
std::string masked_scenario(const std::string& text) {
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const std::exception&) {
    return text;
  }
  return masked_secrets(std::move(j)).dump(2);
}

}  // namespace

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 |
                       uint8_t(bytes[i + 2]);
    out += k[v >> 18];
    out += k[v >> 12 & 63];
    out += k[v >> 6 & 63];
    out += k[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    out += k[v >> 18];
    out += k[v >> 12 & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += k[v >> 18];
    out += k[v >> 12 & 63];
    out += k[v >> 6 & 63];
    out += '=';
  }
  return out;
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string report_html(const std::string& results_dir) {
  const fs::path dir(results_dir);
  std::string scenario_name = dir.filename().string();
  const std::string scenario = slurp(dir / "scenario.json");
  try {
    const auto j = nlohmann::json::parse(scenario);
    if (j.contains("name") && j.at("name").is_string()) scenario_name = j.at("name");
  } catch (const std::exception&) {
    // No or unreadable scenario.json: the folder's name stands in.
  }
  std::string run = dir.filename().string();
  if (run.empty()) run = dir.parent_path().filename().string();
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hydra: " +
      html_escape(scenario_name) + " (" + html_escape(run) + ")</title>\n" + kStyle +
      "</head>\n<body>\n";
  out += "<h1>hydra run: " + html_escape(scenario_name) + "</h1>\n<p>Results folder <code>" +
         html_escape(run) +
         "</code>. <a href=\"#provenance\">Provenance</a> · <a href=\"#results\">Results</a> · "
         "<a href=\"#plots\">Plots</a> · <a href=\"#scenario\">Scenario</a></p>\n";
  out += provenance_section(dir);
  out += results_section(dir);
  out += plots_section(dir);
  out += "<h2 id=\"scenario\">Scenario</h2>\n";
  out += scenario.empty()
             ? "<p>No scenario.json in this folder.</p>\n"
             : "<p>scenario.json: every key, defaults filled in; secrets masked.</p>\n<pre>" +
                   html_escape(masked_scenario(scenario)) + "</pre>\n";
  out += kImageCheck;
  out += "</body>\n</html>\n";
  return out;
}

std::string write_report_html(const std::string& results_dir) {
  std::string html;
  try {
    html = report_html(results_dir);
  } catch (const std::exception& e) {
    return e.what();
  }
  const fs::path path = fs::path(results_dir) / "report.html";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << html;
  out.flush();
  return out ? "" : "cannot write " + path.string();
}

}  // namespace hydra
