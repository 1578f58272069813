#include "broker/group_coordinator.h"

#include <pthread.h>

#include <algorithm>

#include "broker/protocol.h"

namespace hydra::broker {

namespace {
// The interval of the timer thread that expires sessions and rebalance
// deadlines; session timeouts are seconds, so 50 ms is precise enough.
constexpr auto kTick = std::chrono::milliseconds(50);

void run(std::vector<std::function<void()>>& pending) {
  for (auto& f : pending) f();
  pending.clear();
}
}  // namespace

GroupCoordinator::GroupCoordinator(int initial_rebalance_delay_ms)
    : initial_delay_ms_(initial_rebalance_delay_ms) {
  timer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "broker-groups");
    std::unique_lock lk(mu_);
    while (!cv_.wait_for(lk, kTick, [this] { return stop_; })) {
      lk.unlock();
      tick();
      lk.lock();
    }
  });
}

GroupCoordinator::~GroupCoordinator() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  timer_.join();
}

void GroupCoordinator::prepare_rebalance(Group& g, Pending& out) {
  const bool first = g.state == State::kEmpty && g.generation == 0;
  g.state = State::kPreparing;
  int32_t timeout = 0;
  for (auto& [id, m] : g.members) {
    timeout = std::max(timeout, m.rebalance_timeout_ms);
    // Members waiting for their assignment learn that it is void.
    if (m.sync_cb) {
      out.push_back([cb = std::move(m.sync_cb)] { cb(err::kRebalanceInProgress, {}); });
      m.sync_cb = nullptr;
    }
  }
  const auto now = Clock::now();
  g.rebalance_deadline = now + std::chrono::milliseconds(timeout);
  g.not_before = first ? now + std::chrono::milliseconds(initial_delay_ms_) : now;
}

void GroupCoordinator::maybe_complete_join(Group& g, Pending& out, bool deadline_passed) {
  if (g.state != State::kPreparing) return;
  const auto now = Clock::now();
  if (now < g.not_before) return;
  bool all = true;
  for (const auto& [id, m] : g.members) all &= bool(m.join_cb);
  if (!all && !deadline_passed) return;
  if (!all) {
    // Members that did not rejoin within the rebalance timeout are out.
    for (auto it = g.members.begin(); it != g.members.end();)
      it = it->second.join_cb ? std::next(it) : g.members.erase(it);
  }
  if (g.members.empty()) {
    g.state = State::kEmpty;
    return;
  }
  if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
  // The protocol: the leader's first choice that every member supports.
  std::string chosen;
  for (const auto& offer : g.members[g.leader].protocols) {
    const std::string& name = offer.first;
    bool everyone = true;
    for (const auto& [id, m] : g.members)
      everyone &= std::any_of(m.protocols.begin(), m.protocols.end(),
                              [&](const auto& p) { return p.first == name; });
    if (everyone) {
      chosen = name;
      break;
    }
  }
  ++g.generation;
  g.protocol = chosen;
  g.state = State::kCompleting;
  JoinResult base;
  base.generation = g.generation;
  base.protocol = chosen;
  base.leader = g.leader;
  if (chosen.empty()) base.error = err::kInconsistentGroupProtocol;
  for (auto& [id, m] : g.members) {
    JoinResult r = base;
    r.member_id = id;
    if (id == g.leader)
      for (const auto& [mid, mm] : g.members)
        for (const auto& [name, md] : mm.protocols)
          if (name == chosen) r.members.emplace_back(mid, md);
    m.last_seen = now;
    m.assignment.clear();
    out.push_back([cb = std::move(m.join_cb), r = std::move(r)] { cb(r); });
    m.join_cb = nullptr;
  }
}

void GroupCoordinator::remove_member(Group& g, const std::string& id, Pending& out) {
  auto it = g.members.find(id);
  if (it == g.members.end()) return;
  if (it->second.join_cb) {
    JoinResult r;
    r.error = err::kUnknownMemberId;
    out.push_back([cb = std::move(it->second.join_cb), r] { cb(r); });
  }
  if (it->second.sync_cb)
    out.push_back([cb = std::move(it->second.sync_cb)] { cb(err::kUnknownMemberId, {}); });
  g.members.erase(it);
  if (g.members.empty()) {
    g.state = State::kEmpty;
    g.leader.clear();
    return;
  }
  if (g.state != State::kPreparing) prepare_rebalance(g, out);
  maybe_complete_join(g, out, false);
}

void GroupCoordinator::join(const JoinRequest& r, JoinCallback done) {
  Pending out;
  {
    std::lock_guard lk(mu_);
    auto fail = [&](int16_t e) {
      JoinResult res;
      res.error = e;
      res.member_id = r.member_id;
      out.push_back([done, res] { done(res); });
    };
    if (r.group.empty()) {
      fail(err::kInvalidGroupId);
    } else if (r.session_timeout_ms < 1 || r.session_timeout_ms > 3600000) {
      fail(err::kInvalidSessionTimeout);
    } else {
      Group& g = groups_[r.group];
      if (!g.members.empty() && g.protocol_type != r.protocol_type) {
        fail(err::kInconsistentGroupProtocol);
      } else if (!r.member_id.empty() && !g.members.count(r.member_id)) {
        fail(err::kUnknownMemberId);
      } else {
        g.protocol_type = r.protocol_type;
        std::string id = r.member_id;
        if (id.empty())
          id =
              (r.client_id.empty() ? "member" : r.client_id) + "-" + std::to_string(next_member_++);
        Member& m = g.members[id];
        m.id = id;
        m.client_id = r.client_id;
        m.session_timeout_ms = r.session_timeout_ms;
        m.rebalance_timeout_ms = r.rebalance_timeout_ms;
        m.protocols = r.protocols;
        m.last_seen = Clock::now();
        if (m.join_cb) {
          // A second join from the same member replaces the first.
          JoinResult res;
          res.error = err::kUnknownMemberId;
          out.push_back([cb = std::move(m.join_cb), res] { cb(res); });
        }
        m.join_cb = std::move(done);
        if (g.state != State::kPreparing) prepare_rebalance(g, out);
        maybe_complete_join(g, out, false);
      }
    }
  }
  run(out);
}

void GroupCoordinator::sync(const std::string& group, int32_t generation, const std::string& member,
                            std::vector<std::pair<std::string, Bytes>> assignments,
                            SyncCallback done) {
  Pending out;
  {
    std::lock_guard lk(mu_);
    auto git = groups_.find(group);
    Member* m = nullptr;
    if (git != groups_.end()) {
      auto mit = git->second.members.find(member);
      if (mit != git->second.members.end()) m = &mit->second;
    }
    if (!m) {
      out.push_back([done] { done(err::kUnknownMemberId, {}); });
    } else {
      Group& g = git->second;
      m->last_seen = Clock::now();
      if (generation != g.generation) {
        out.push_back([done] { done(err::kIllegalGeneration, {}); });
      } else if (g.state == State::kPreparing) {
        out.push_back([done] { done(err::kRebalanceInProgress, {}); });
      } else if (g.state == State::kStable) {
        out.push_back([done, a = m->assignment] { done(err::kNone, a); });
      } else {  // completing
        m->sync_cb = std::move(done);
        if (member == g.leader) {
          for (auto& [mid, a] : assignments) {
            auto it = g.members.find(mid);
            if (it != g.members.end()) it->second.assignment = std::move(a);
          }
          g.state = State::kStable;
          for (auto& [mid, mm] : g.members)
            if (mm.sync_cb) {
              out.push_back([cb = std::move(mm.sync_cb), a = mm.assignment] { cb(err::kNone, a); });
              mm.sync_cb = nullptr;
            }
        }
      }
    }
  }
  run(out);
}

int16_t GroupCoordinator::heartbeat(const std::string& group, int32_t generation,
                                    const std::string& member) {
  std::lock_guard lk(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return err::kUnknownMemberId;
  Group& g = git->second;
  auto mit = g.members.find(member);
  if (mit == g.members.end()) return err::kUnknownMemberId;
  mit->second.last_seen = Clock::now();
  if (g.state == State::kPreparing) return err::kRebalanceInProgress;
  if (generation != g.generation) return err::kIllegalGeneration;
  return err::kNone;
}

int16_t GroupCoordinator::leave(const std::string& group, const std::string& member) {
  Pending out;
  int16_t e = err::kNone;
  {
    std::lock_guard lk(mu_);
    auto git = groups_.find(group);
    if (git == groups_.end() || !git->second.members.count(member))
      e = err::kUnknownMemberId;
    else
      remove_member(git->second, member, out);
  }
  run(out);
  return e;
}

int16_t GroupCoordinator::check_commit(const std::string& group, int32_t generation,
                                       const std::string& member) {
  if (generation < 0) return err::kNone;
  std::lock_guard lk(mu_);
  auto git = groups_.find(group);
  if (git == groups_.end()) return err::kIllegalGeneration;
  Group& g = git->second;
  auto mit = g.members.find(member);
  if (mit == g.members.end()) return err::kUnknownMemberId;
  if (generation != g.generation) return err::kIllegalGeneration;
  if (g.state == State::kPreparing) return err::kRebalanceInProgress;
  mit->second.last_seen = Clock::now();
  return err::kNone;
}

void GroupCoordinator::commit(const std::string& group, const std::string& topic, int32_t partition,
                              int64_t offset, std::optional<std::string> metadata) {
  std::lock_guard lk(mu_);
  offsets_[group][{topic, partition}] = Committed{topic, partition, offset, std::move(metadata)};
}

std::optional<GroupCoordinator::Committed> GroupCoordinator::committed(const std::string& group,
                                                                       const std::string& topic,
                                                                       int32_t partition) const {
  std::lock_guard lk(mu_);
  auto git = offsets_.find(group);
  if (git == offsets_.end()) return std::nullopt;
  auto it = git->second.find({topic, partition});
  if (it == git->second.end()) return std::nullopt;
  return it->second;
}

std::vector<GroupCoordinator::Committed> GroupCoordinator::committed_all(
    const std::string& group) const {
  std::lock_guard lk(mu_);
  std::vector<Committed> v;
  auto git = offsets_.find(group);
  if (git != offsets_.end())
    for (const auto& [k, c] : git->second) v.push_back(c);
  return v;
}

void GroupCoordinator::tick() {
  Pending out;
  {
    std::lock_guard lk(mu_);
    const auto now = Clock::now();
    for (auto& [name, g] : groups_) {
      // Silent members leave: in a rebalance only those that have not
      // rejoined (a parked join is not silence).
      std::vector<std::string> expired;
      for (const auto& [id, m] : g.members)
        if (!m.join_cb && now - m.last_seen > std::chrono::milliseconds(m.session_timeout_ms))
          expired.push_back(id);
      for (const auto& id : expired) remove_member(g, id, out);
      if (g.state == State::kPreparing) maybe_complete_join(g, out, now >= g.rebalance_deadline);
    }
  }
  run(out);
}

}  // namespace hydra::broker
