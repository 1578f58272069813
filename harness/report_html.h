// report.html: one self-contained page per run, readable offline and after
// the folder moves: the scenario (scenario.json), the provenance (run.json),
// the results table (results.csv) and every plot (plots/*.png), the images
// inlined as base64 data, so the file needs nothing beside it. Written by
// `hydra run` after plotting and by `hydra plot`.
//
// Each image is marked data-loaded="yes" or "no" once the page has loaded
// (a broken one also says so in its caption), so a reader, and the headless
// browser check in tests/harness/report_html_test.cc, sees a missing plot.
#pragma once

#include <string>

namespace hydra {

// The page for a results folder. Missing pieces (no run.json, no plots) are
// said in the page, never an error; results_dir must hold results.csv.
// Throws std::runtime_error naming the file when results.csv is unreadable.
std::string report_html(const std::string& results_dir);

// Writes results_dir/report.html. "" on success, else why.
std::string write_report_html(const std::string& results_dir);

// Standard base64 (RFC 4648, with padding).
std::string base64(const std::string& bytes);

// Text made safe inside HTML element content and attribute values.
std::string html_escape(const std::string& text);

}  // namespace hydra
