// ApiVersions v0-2: the served ranges of broker/protocol.h.
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

void write_api_versions_v0(Writer& out, int16_t error) {
  out.i16(error);
  const auto& apis = supported_apis();
  out.array_len(int32_t(apis.size()));
  for (const auto& a : apis) {
    out.i16(a.key);
    out.i16(a.min);
    out.i16(a.max);
  }
}

Outcome handle_api_versions(RequestContext& ctx, Reader&, Writer& out) {
  write_api_versions_v0(out, ctx.forced_error);
  if (ctx.api_version >= 1) out.i32(0);  // throttle_time_ms
  return Outcome::kRespond;
}

}  // namespace hydra::broker
