// The agent daemon's control commands (`hydra-agent serve`, agents/daemon.h),
// sent by the controller's daemon launcher (harness/launcher_daemons.h). The
// envelope is the agents' (docs/contracts.md): request {"cmd": NAME, ...},
// reply {"ok": true, ...} or {"ok": false, "error": "..."}. Every command but
// hello and time names the session hello opened.
//
//   hello {controller, lease_ms}  -> {ok, session, host, pid, version}
//                                    refused while another controller's lease runs
//   heartbeat {session}           -> {ok}       renews the lease
//   time                          -> {ok, t1, t2}  the daemon's clock (wall ns) at
//                                    receipt and at reply, for the clock offset
//   spawn {session, role, clock_correction_ns}
//                                 -> {ok, endpoint, pid}  a pub or sub agent
//   alive {session, pid}          -> {ok, alive}
//   kill {session, pid}           -> {ok}
//   usage {session}               -> {ok, cpu_busy_ns, cpu_total_ns, cores,
//                                     net_rx_bytes, net_tx_bytes}  host counters
//   bye {session}                 -> {ok}       stops its agents, ends the session
//
// A session whose lease lapses (no request for lease_ms) ends the same way as
// bye: the daemon stops the controller's agents and takes the next hello.
#pragma once

namespace hydra::daemon {

inline constexpr int kDaemonProtocolVersion = 1;
// The port a daemon listens on when the endpoint gives none (docs, manifests).
inline constexpr int kDefaultPort = 7700;

}  // namespace hydra::daemon
