#include "actors/subscriber/registrar_state.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>

namespace sb::actors::subscriber {

namespace {

using std::chrono::seconds;

// Why a REGISTER is refused; turned into a reply in one place.
struct failure {
  register_status status;
  uint16_t code;
  std::string detail;
  std::optional<uint32_t> min_expires = std::nullopt;
};

using check = std::optional<failure>;

// One Contact of the request, validated, with what it will do.
struct planned_contact {
  const contact_input* in = nullptr;
  std::optional<uint16_t> q;
  uint32_t requested = 0;      // before shortening to max_expires
  uint32_t granted = 0;        // 0 removes
  std::optional<size_t> match; // index into the live bindings
};

std::string_view reason_phrase(uint16_t code) {
  switch (code) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 423:
    return "Interval Too Brief";
  case 503:
    return "Service Unavailable";
  default:
    return "Server Internal Error";
  }
}

// Splits off the bindings expired at `now`, keeping the order of the rest.
std::vector<binding> take_expired(std::vector<binding>& bs, time_point now) {
  std::vector<binding> expired;
  auto live =
      std::stable_partition(bs.begin(), bs.end(), [now](const binding& b) {
        return !is_expired(b, now);
      });
  std::move(live, bs.end(), std::back_inserter(expired));
  bs.erase(live, bs.end());
  return expired;
}

size_t count_expiring(const std::vector<binding>& bs) {
  return static_cast<size_t>(std::count_if(
      bs.begin(), bs.end(), [](const binding& b) { return !is_permanent(b); }));
}

// The binding a Contact refers to: by instance + reg-id when it has an
// instance (else a binding without instance and an equal URI), by URI
// otherwise.
std::optional<size_t> find_binding(const std::vector<binding>& bs,
                                   const contact_input& c) {
  auto find = [&](auto pred) -> std::optional<size_t> {
    auto it = std::find_if(bs.begin(), bs.end(), pred);
    return it == bs.end() ? std::nullopt
                          : std::optional<size_t>(it - bs.begin());
  };
  if (c.instance) {
    auto by_instance = find([&](const binding& b) {
      return b.instance && instance_equal(*b.instance, *c.instance) &&
             b.reg_id == c.reg_id;
    });
    if (by_instance)
      return by_instance;
    return find([&](const binding& b) {
      return !b.instance && sip_uri_equal(b.uri, c.uri);
    });
  }
  return find([&](const binding& b) { return sip_uri_equal(b.uri, c.uri); });
}

// Whether two Contacts of one request name the same binding.
bool same_key(const contact_input& a, const contact_input& b) {
  if (a.instance && b.instance)
    return instance_equal(*a.instance, *b.instance) && a.reg_id == b.reg_id;
  return sip_uri_equal(a.uri, b.uri);
}

check check_aor(const registrar_state& st, const register_request& rq) {
  if (rq.aor == st.aor)
    return std::nullopt;
  return failure{register_status::aor_mismatch, 500,
                 "REGISTER for " + rq.aor + " reached the actor of " + st.aor};
}

check check_star(const register_request& rq) {
  if (!rq.star)
    return std::nullopt;
  if (!rq.contacts.empty())
    return failure{register_status::star_with_contacts, 400,
                   "Contact: * must be the only Contact"};
  if (rq.expires != 0u)
    return failure{register_status::star_expires_not_zero, 400,
                   "Contact: * requires Expires: 0"};
  return std::nullopt;
}

// A Contact's own syntax: a URI and, if given, a valid q.
check parse_contact(const contact_input& c, planned_contact& p) {
  p.in = &c;
  if (c.uri.empty())
    return failure{register_status::empty_contact_uri, 400,
                   "Contact without URI"};
  if (!c.q)
    return std::nullopt;
  p.q = parse_q(*c.q);
  if (p.q)
    return std::nullopt;
  return failure{register_status::invalid_q, 400,
                 "invalid q value \"" + *c.q + "\" in " + c.uri};
}

// `p` names the same binding as an earlier Contact: the same key, or the
// same existing binding reached another way (instance vs URI).
check check_duplicate(const std::vector<planned_contact>& earlier,
                      const planned_contact& p) {
  for (const auto& e : earlier) {
    if (same_key(*e.in, *p.in))
      return failure{register_status::duplicate_contact, 400,
                     "Contact " + p.in->uri + " appears twice"};
    if (p.match && e.match == p.match)
      return failure{register_status::duplicate_contact, 400,
                     "Contacts " + e.in->uri + " and " + p.in->uri +
                         " name the same binding"};
  }
  return std::nullopt;
}

check check_intervals(const std::vector<planned_contact>& plan,
                      const registrar_config& cfg) {
  for (const auto& p : plan) {
    if (p.requested > 0 && p.requested < cfg.min_expires)
      return failure{register_status::interval_too_brief, 423,
                     "expiry " + std::to_string(p.requested) + " of " +
                         p.in->uri + " is below " +
                         std::to_string(cfg.min_expires),
                     cfg.min_expires};
  }
  return std::nullopt;
}

// Syntax and duplicates (400), then expiry (423), without looking at
// CSeq; fills `plan` with each Contact's match in `live`.
check plan_contacts(const register_request& rq, const registrar_config& cfg,
                    const std::vector<binding>& live,
                    std::vector<planned_contact>& plan) {
  for (const auto& c : rq.contacts) {
    planned_contact p;
    if (auto f = parse_contact(c, p))
      return f;
    p.match = find_binding(live, c);
    if (auto f = check_duplicate(plan, p))
      return f;
    p.requested = c.expires.value_or(rq.expires.value_or(cfg.default_expires));
    p.granted = std::min(p.requested, cfg.max_expires);
    plan.push_back(p);
  }
  return check_intervals(plan, cfg);
}

failure out_of_order(const binding& b, const register_request& rq) {
  return failure{register_status::out_of_order, 500,
                 "CSeq " + std::to_string(rq.cseq) + " of Call-ID " +
                     rq.call_id + " is not higher than " +
                     std::to_string(b.cseq) + " stored for " + b.uri};
}

// RFC 3261 §10.3 step 7: the same Call-ID needs a higher CSeq.
check check_cseq(const std::vector<planned_contact>& plan,
                 const std::vector<binding>& live, const register_request& rq) {
  for (const auto& p : plan) {
    if (!p.match)
      continue;
    const auto& b = live[*p.match];
    if (b.call_id == rq.call_id && rq.cseq <= b.cseq)
      return out_of_order(b, rq);
  }
  return std::nullopt;
}

binding make_binding(const register_request& rq, const planned_contact& p,
                     time_point now, uint64_t seq) {
  binding b;
  b.uri = p.in->uri;
  b.params = p.in->params;
  b.q = p.q;
  b.instance = p.in->instance;
  b.reg_id = p.in->reg_id;
  b.call_id = rq.call_id;
  b.cseq = rq.cseq;
  b.expires_at = now + seconds(p.granted);
  b.updated_at = now;
  b.seq = seq;
  b.path = rq.path;
  b.received = rq.source;
  b.natted = is_natted(rq.source, rq.via);
  b.user_agent = rq.user_agent;
  b.local_socket = rq.local_socket;
  return b;
}

enum class mark : uint8_t { kept, added, refreshed, removed };

// Applies the plan to `bs` (the live bindings) and records the effects.
void apply_plan(const std::vector<planned_contact>& plan,
                const register_request& rq, time_point now, uint64_t seq,
                std::vector<binding>& bs, registrar_effects& fx) {
  std::vector<mark> marks(bs.size(), mark::kept);
  for (const auto& p : plan) {
    if (p.match && p.granted == 0) {
      marks[*p.match] = mark::removed;
    } else if (p.match) {
      bs[*p.match] = make_binding(rq, p, now, seq);
      marks[*p.match] = mark::refreshed;
    } else if (p.granted > 0) {
      bs.push_back(make_binding(rq, p, now, seq));
      marks.push_back(mark::added);
    }
  }
  std::vector<binding> kept;
  for (size_t i = 0; i < bs.size(); ++i) {
    switch (marks[i]) {
    case mark::added:
      fx.added.push_back(bs[i]);
      break;
    case mark::refreshed:
      fx.refreshed.push_back(bs[i]);
      break;
    case mark::removed:
      fx.removed.push_back(std::move(bs[i]));
      continue;
    case mark::kept:
      break;
    }
    kept.push_back(std::move(bs[i]));
  }
  bs = std::move(kept);
}

check check_limit(const registrar_config& cfg, size_t before, size_t after) {
  if (cfg.max_contacts == 0 || after <= cfg.max_contacts || after <= before)
    return std::nullopt;
  return failure{register_status::too_many_contacts, 503,
                 "Too many registered contacts (" + std::to_string(after) +
                     " > " + std::to_string(cfg.max_contacts) + ")"};
}

// Contact: * (RFC 3261 §10.3 step 6): every non-permanent binding goes,
// unless one has this Call-ID and a CSeq not lower than the request's.
check apply_star(const register_request& rq, std::vector<binding>& bs,
                 registrar_effects& fx) {
  for (const auto& b : bs) {
    if (!is_permanent(b) && b.call_id == rq.call_id && rq.cseq <= b.cseq)
      return out_of_order(b, rq);
  }
  auto gone = std::stable_partition(bs.begin(), bs.end(), is_permanent);
  std::move(gone, bs.end(), std::back_inserter(fx.removed));
  bs.erase(gone, bs.end());
  return std::nullopt;
}

// Computes the new binding list into `bs` (a copy of the state's), or the
// reason to refuse.
check decide(const registrar_state& st, const register_request& rq,
             const registrar_config& cfg, time_point now,
             std::vector<binding>& bs, registrar_effects& fx) {
  if (auto f = check_aor(st, rq))
    return f;
  if (auto f = check_star(rq))
    return f;
  fx.expired = take_expired(bs, now);
  if (rq.star)
    return apply_star(rq, bs, fx);
  std::vector<planned_contact> plan;
  if (auto f = plan_contacts(rq, cfg, bs, plan))
    return f;
  if (auto f = check_cseq(plan, bs, rq))
    return f;
  size_t before = count_expiring(bs);
  apply_plan(plan, rq, now, st.seq + 1, bs, fx);
  return check_limit(cfg, before, count_expiring(bs));
}

std::vector<reply_contact> list_contacts(const registrar_state& st,
                                         const registrar_config& cfg,
                                         time_point now) {
  std::vector<reply_contact> out;
  for (const auto& b : targets(st, now))
    out.push_back({b.uri, remaining_seconds(b, now, cfg.max_expires), b.q,
                   b.instance, b.reg_id, is_permanent(b)});
  return out;
}

// Marks the effects of a committed write.
void finish(registrar_state& st, registrar_effects& fx) {
  fx.changed = !fx.added.empty() || !fx.refreshed.empty() ||
               !fx.removed.empty() || !fx.expired.empty();
  if (!fx.added.empty() || !fx.refreshed.empty())
    ++st.seq;
  fx.timer = next_expiry(st);
}

} // namespace

status validate(const registrar_config& cfg) {
  if (cfg.max_expires == 0)
    return error{"registrar: max_expires must be at least 1"};
  if (cfg.min_expires > cfg.default_expires ||
      cfg.default_expires > cfg.max_expires)
    return error{"registrar: need min_expires <= default_expires <= "
                 "max_expires"};
  return {};
}

uint32_t remaining_seconds(const binding& b, time_point now,
                           uint32_t permanent_shown) {
  if (is_permanent(b))
    return permanent_shown;
  if (is_expired(b, now))
    return 0;
  auto left = std::chrono::ceil<seconds>(b.expires_at - now).count();
  return static_cast<uint32_t>(
      std::min<decltype(left)>(left, std::numeric_limits<uint32_t>::max()));
}

std::string_view to_string(register_status s) {
  switch (s) {
  case register_status::ok:
    return "ok";
  case register_status::aor_mismatch:
    return "aor_mismatch";
  case register_status::star_with_contacts:
    return "star_with_contacts";
  case register_status::star_expires_not_zero:
    return "star_expires_not_zero";
  case register_status::empty_contact_uri:
    return "empty_contact_uri";
  case register_status::invalid_q:
    return "invalid_q";
  case register_status::duplicate_contact:
    return "duplicate_contact";
  case register_status::interval_too_brief:
    return "interval_too_brief";
  case register_status::out_of_order:
    return "out_of_order";
  case register_status::too_many_contacts:
    return "too_many_contacts";
  }
  return "unknown";
}

register_outcome on_register(registrar_state& st, const register_request& rq,
                             const registrar_config& cfg, time_point now) {
  register_outcome out;
  auto bs = st.bindings;
  if (auto f = decide(st, rq, cfg, now, bs, out.effects)) {
    out.status = f->status;
    out.reply.code = f->code;
    out.reply.reason = reason_phrase(f->code);
    out.reply.detail = std::move(f->detail);
    out.reply.min_expires = f->min_expires;
    out.effects = registrar_effects{};
    out.effects.timer = next_expiry(st);
    return out;
  }
  st.bindings = std::move(bs);
  finish(st, out.effects);
  out.reply.reason = reason_phrase(200);
  out.reply.contacts = list_contacts(st, cfg, now);
  return out;
}

registrar_effects on_timer(registrar_state& st, time_point now) {
  registrar_effects fx;
  fx.expired = take_expired(st.bindings, now);
  finish(st, fx);
  return fx;
}

std::optional<time_point> next_expiry(const registrar_state& st) {
  std::optional<time_point> next;
  for (const auto& b : st.bindings) {
    if (!is_permanent(b) && (!next || b.expires_at < *next))
      next = b.expires_at;
  }
  return next;
}

std::vector<binding> targets(const registrar_state& st, time_point now) {
  std::vector<binding> out;
  std::copy_if(st.bindings.begin(), st.bindings.end(), std::back_inserter(out),
               [now](const binding& b) { return !is_expired(b, now); });
  std::stable_sort(out.begin(), out.end(),
                   [](const binding& a, const binding& b) {
                     auto qa = a.q.value_or(default_q_milli);
                     auto qb = b.q.value_or(default_q_milli);
                     return qa != qb ? qa > qb : a.seq > b.seq;
                   });
  return out;
}

std::vector<binding> keepalive_targets(const registrar_state& st) {
  std::vector<binding> out;
  for (const auto& b : st.bindings) {
    if (b.natted && b.received && b.received->transport == sip_transport::udp)
      out.push_back(b);
  }
  return out;
}

result<registrar_effects>
add_permanent_binding(registrar_state& st, const permanent_binding_request& rq,
                      time_point now) {
  if (rq.uri.empty())
    return error{"permanent binding without URI"};
  if (rq.q && *rq.q > 1000)
    return error{"q of a permanent binding must be 0..1000 thousandths"};
  binding b;
  b.uri = rq.uri;
  b.q = rq.q;
  b.expires_at = permanent_expiry;
  b.updated_at = now;
  b.seq = st.seq + 1;
  b.path = rq.path;
  b.user_agent = rq.user_agent;
  b.local_socket = rq.local_socket;

  registrar_effects fx;
  fx.expired = take_expired(st.bindings, now);
  // Every binding with this URI goes; the first one's place is reused.
  std::vector<binding> kept;
  bool placed = false;
  for (auto& old : st.bindings) {
    if (!sip_uri_equal(old.uri, rq.uri)) {
      kept.push_back(std::move(old));
    } else if (!placed) {
      placed = true;
      kept.push_back(b);
      fx.refreshed.push_back(b);
    } else {
      fx.removed.push_back(std::move(old));
    }
  }
  if (!placed) {
    kept.push_back(b);
    fx.added.push_back(b);
  }
  st.bindings = std::move(kept);
  finish(st, fx);
  return fx;
}

registrar_effects remove_binding(registrar_state& st, std::string_view uri,
                                 time_point now) {
  registrar_effects fx;
  fx.expired = take_expired(st.bindings, now);
  auto gone = std::stable_partition(
      st.bindings.begin(), st.bindings.end(),
      [uri](const binding& b) { return !sip_uri_equal(b.uri, uri); });
  std::move(gone, st.bindings.end(), std::back_inserter(fx.removed));
  st.bindings.erase(gone, st.bindings.end());
  finish(st, fx);
  return fx;
}

registrar_effects remove_all_bindings(registrar_state& st, time_point now) {
  registrar_effects fx;
  fx.expired = take_expired(st.bindings, now);
  std::move(st.bindings.begin(), st.bindings.end(),
            std::back_inserter(fx.removed));
  st.bindings.clear();
  finish(st, fx);
  return fx;
}

} // namespace sb::actors::subscriber
