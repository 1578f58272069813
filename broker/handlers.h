// Request handlers, one file per API family (broker/handlers_*.cc). Each
// reads its request with Reader and writes the response body (without the
// frame header) for ctx.api_version.
#pragma once

#include <optional>
#include <string>

#include "broker/partition.h"
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
// One topic configuration entry of a CreateTopics request (or of
// topic.config for a topic the controller creates in process): applies
// retention.bytes and retention.ms, refuses what this broker cannot honour
// (cleanup.policy other than "delete": it does not compact), accepts and
// ignores the rest. Returns the reason for a refused entry, else empty.
std::string apply_topic_config(TopicConfig& c, const std::string& key,
                               const std::optional<std::string>& value);
Outcome handle_delete_topics(RequestContext&, Reader&, Writer&);
Outcome handle_init_producer_id(RequestContext&, Reader&, Writer&);

// The handler for a served API key (see broker/protocol.h).
Handler handler_for(int16_t api_key);

}  // namespace hydra::broker
