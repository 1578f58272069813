#include "agents/group_pauses.h"

#include <algorithm>

namespace hydra {

GroupPauses merge_pauses(std::vector<PausedSpan> spans, int64_t from_ns, int64_t now_ns) {
  std::erase_if(spans, [&](const PausedSpan& s) { return s.start_ns < from_ns; });
  for (auto& s : spans)
    if (s.end_ns == 0 || s.end_ns > now_ns) s.end_ns = std::max(s.start_ns, now_ns);
  std::sort(spans.begin(), spans.end(),
            [](const PausedSpan& a, const PausedSpan& b) { return a.start_ns < b.start_ns; });
  GroupPauses out;
  auto close = [&](const PausedSpan& s) {
    ++out.count;
    out.total_ns += s.end_ns - s.start_ns;
    out.max_ns = std::max(out.max_ns, s.end_ns - s.start_ns);
  };
  PausedSpan cur{};
  bool open = false;
  for (const auto& s : spans) {
    if (open && s.start_ns <= cur.end_ns) {
      cur.end_ns = std::max(cur.end_ns, s.end_ns);
      continue;
    }
    if (open) close(cur);
    cur = s;
    open = true;
  }
  if (open) close(cur);
  return out;
}

}  // namespace hydra
