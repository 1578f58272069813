// ApiVersions v0-2: the served ranges of broker/protocol.h.
#include "broker/handlers.h"
#include "broker/protocol.h"

namespace hydra::broker {

Outcome handle_api_versions(RequestContext& ctx, Reader&, Writer& out) {
  out.i16(ctx.forced_error);
  const auto& apis = supported_apis();
  out.array_len(int32_t(apis.size()));
  for (const auto& a : apis) {
    out.i16(a.key);
    out.i16(a.min);
    out.i16(a.max);
  }
  if (ctx.api_version >= 1) out.i32(0);  // throttle_time_ms
  return Outcome::kRespond;
}

}  // namespace hydra::broker
