// Request handlers, one file per API family (broker/handlers_*.cc). Each
// reads its request with Reader and writes the response body (without the
// frame header) for ctx.api_version.
#pragma once

#include "broker/request_context.h"

namespace hydra::broker {

Outcome handle_api_versions(RequestContext&, Reader&, Writer&);
// ApiVersions' error code and served ranges, the part every version shares
// (and all a client that asked an unserved version can read).
void write_api_versions_v0(Writer& out, int16_t error);
Outcome handle_metadata(RequestContext&, Reader&, Writer&);
Outcome handle_produce(RequestContext&, Reader&, Writer&);
Outcome handle_fetch(RequestContext&, Reader&, Writer&);
Outcome handle_list_offsets(RequestContext&, Reader&, Writer&);
Outcome handle_find_coordinator(RequestContext&, Reader&, Writer&);
Outcome handle_join_group(RequestContext&, Reader&, Writer&);
Outcome handle_sync_group(RequestContext&, Reader&, Writer&);
Outcome handle_heartbeat(RequestContext&, Reader&, Writer&);
Outcome handle_leave_group(RequestContext&, Reader&, Writer&);
Outcome handle_offset_commit(RequestContext&, Reader&, Writer&);
Outcome handle_offset_fetch(RequestContext&, Reader&, Writer&);
Outcome handle_create_topics(RequestContext&, Reader&, Writer&);
Outcome handle_delete_topics(RequestContext&, Reader&, Writer&);
Outcome handle_init_producer_id(RequestContext&, Reader&, Writer&);

// The handler for a served API key (see broker/protocol.h).
Handler handler_for(int16_t api_key);

}  // namespace hydra::broker
