#include "mgmt/api/api_service.hpp"

#include "actors/provisioning/provisioning_actor.hpp"
#include "common/text.hpp"
#include "common/wall_clock.hpp"
#include "mgmt/rest/body.hpp"
#include "persistence/entities/entity_txn.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace sb::mgmt::api {

namespace {

using rest::api_error;
using rest::api_result;

std::optional<uint64_t> parse_id(const std::string& s) {
  uint64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc{} || p != s.data() + s.size() || id == 0)
    return std::nullopt;
  return id;
}

bool glob_match(std::string_view pat, std::string_view s) {
  // Iterative '*' matching, case-insensitive (the reference's LIKE).
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  auto eq = [](char a, char b) { return ascii_lower(a) == ascii_lower(b); };
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pat.size() && eq(pat[p], s[i])) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*')
    ++p;
  return p == pat.size();
}

std::string member_text(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_null())
    return "";
  return v.dump();
}

bool matches(const resource_def& r, const std::map<std::string, std::string>& f,
             uint64_t id, const json& doc) {
  for (const auto& [name, value] : f) {
    if (auto c = r.custom_filters.find(name); c != r.custom_filters.end()) {
      if (!c->second(value, id, doc))
        return false;
      continue;
    }
    auto it = doc.find(name);
    if (it == doc.end() || !glob_match(value, member_text(*it)))
      return false;
  }
  return true;
}

const std::map<std::string, std::string> no_filters;

// 201/200/204 for a successful write, with the representation if asked.
http::response write_response(api_service& api, const resource_def& r,
                              const auth::principal& who, uint64_t id,
                              unsigned status, rest::prefer_return prefer) {
  if (prefer == rest::prefer_return::representation) {
    auto doc = api.load(r, id);
    if (doc && *doc) {
      auto res = rest::hal_response(api.item_json(r, who, id, **doc),
                                    status == 204 ? 200 : status);
      res.set_header("Preference-Applied", "return=representation");
      if (status == 201)
        res.set_header("Location", rest::item_href(r.name, id));
      return res;
    }
  }
  http::response res;
  res.status = status;
  if (status == 201)
    res.set_header("Location", rest::item_href(r.name, id));
  return res;
}

std::vector<std::string> allowed_methods(const auth::method_roles& m,
                                         bool item) {
  std::vector<std::string> out;
  if (!m.get.empty())
    out.insert(out.end(), {"GET", "HEAD"});
  out.push_back("OPTIONS");
  if (!item && !m.post.empty())
    out.push_back("POST");
  if (item && !m.put.empty())
    out.push_back("PUT");
  if (item && !m.patch.empty())
    out.push_back("PATCH");
  if (item && !m.del.empty())
    out.push_back("DELETE");
  return out;
}

// Authentication plus the role check of `m` (which never depends on the
// target, so a 403 reveals nothing about which items exist).
api_result<auth::principal> admit(api_service& api, const resource_def& r,
                                  const http::request& rq,
                                  auth::http_method m) {
  auto who = api.authenticator().authenticate(rq);
  if (!who)
    return who.err();
  if (auth::decide(*who, m, r.roles, std::nullopt) != auth::decision::allow)
    return rest::forbidden();
  return who;
}

// A stored item the caller may see, or the 404 of a missing one.
// The first value of each query parameter: item views that depend on a
// perspective (calllists) read it like a collection's filters.
std::map<std::string, std::string> first_values(const http::request& rq) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : rq.query)
    out.emplace(k, v);
  return out;
}

api_result<json>
visible_item(api_service& api, const resource_def& r,
             const auth::principal& who, uint64_t id,
             const std::map<std::string, std::string>& filters = no_filters) {
  auto doc = api.load(r, id);
  if (!doc) {
    spdlog::error("api: reading {} #{}: {}", r.kind, id, doc.err().message);
    return rest::internal_error();
  }
  if (!*doc)
    return rest::not_found(r.item);
  view_ctx v{api.reader(), who, filters};
  bool ok = r.visible ? r.visible(v, id, **doc)
                      : auth::can_see(who, r.owner ? r.owner(id, **doc)
                                                   : owner_from_members(**doc));
  if (!ok)
    return rest::not_found(r.item);
  return std::move(**doc);
}

// Field validation plus the resource's own input checks, then normalize.
api_result<json> checked_input(const resource_def& r, const json& body,
                               write_mode mode) {
  std::vector<rest::field_error> errors;
  if (!body.is_object())
    return rest::validation_failed({{"", "", {"Not a valid object"}}});
  if (!r.fields.empty())
    errors = rest::validate(body, r.fields, r.unknown);
  if (r.check) {
    auto more = r.check(body, mode);
    errors.insert(errors.end(), more.begin(), more.end());
  }
  if (!errors.empty())
    return rest::validation_failed(errors);
  json out = json::object();
  if (r.fields.empty()) {
    for (auto it = body.begin(); it != body.end(); ++it)
      if (!rest::is_hal_member(it.key()))
        out[it.key()] = it.value();
  } else {
    out = rest::normalize(body, r.fields);
  }
  if (r.prepare)
    return r.prepare(std::move(out));
  return out;
}

// The stored item a request addresses, as its caller may see it.
struct addressed {
  auth::principal who;
  uint64_t id = 0;
  json doc;
};

// The item as it is inside the write transaction (it may have gone since
// the request was admitted).
api_result<json> current(write_ctx& c, const resource_def& r, uint64_t id) {
  auto old = c.txn.load(r.kind, id);
  if (!old)
    return rest::internal_error();
  if (!*old)
    return rest::not_found(r.item);
  return std::move(**old);
}

struct handlers {
  api_service& api;
  const resource_def& r;

  // Authentication, role for `m`, id, existence and visibility, in the
  // order that reveals nothing to those who may not know.
  api_result<addressed> address(
      http::request& rq, auth::http_method m,
      const std::map<std::string, std::string>& filters = no_filters) const {
    auto who = admit(api, r, rq, m);
    if (!who)
      return who.err();
    auto id = parse_id(rq.params["id"]);
    if (!id)
      return rest::not_found(r.item);
    auto doc = visible_item(api, r, *who, *id, filters);
    if (!doc)
      return doc.err();
    return addressed{std::move(*who), *id, std::move(*doc)};
  }

  void list(http::request rq, const http::respond_fn& respond) const {
    auto who = admit(api, r, rq, auth::http_method::get);
    if (!who)
      return respond(error_response(who.err()));
    auto q = rest::parse_list_query(rq, r.list);
    if (!q)
      return respond(error_response(q.err()));
    if (!r.required_filters.empty() &&
        std::none_of(r.required_filters.begin(), r.required_filters.end(),
                     [&](const auto& f) { return q->filters.count(f) > 0; })) {
      std::string names;
      for (const auto& f : r.required_filters)
        names += (names.empty() ? "'" : " or '") + f + "'";
      return respond(error_response(
          rest::bad_request("Mandatory parameter " + names + " missing.")));
    }
    view_ctx v{api.reader(), *who, q->filters};
    // Only sort keys and ids are kept while scanning, so listing a large
    // collection does not hold every document in memory.
    std::vector<std::pair<json, uint64_t>> hits;
    auto visit = [&](uint64_t id, const json& doc) {
      bool ok = r.visible
                    ? r.visible(v, id, doc)
                    : auth::can_see(*who, r.owner ? r.owner(id, doc)
                                                  : owner_from_members(doc));
      if (ok && matches(r, q->filters, id, doc))
        hits.emplace_back(
            q->order_by ? doc.value(*q->order_by, json{}) : json{}, id);
      return true;
    };
    status st;
    if (auto ids = r.candidates ? r.candidates(v) : std::nullopt) {
      for (auto id : *ids) {
        auto doc = api.load(r, id);
        if (!doc) {
          st = doc.err();
          break;
        }
        if (*doc)
          visit(id, **doc);
      }
    } else {
      st = api.each(r, visit);
    }
    if (!st) {
      spdlog::error("api: listing {}: {}", r.kind, st.err().message);
      return respond(error_response(rest::internal_error()));
    }
    if (q->order_by) {
      std::stable_sort(hits.begin(), hits.end(), [](auto& a, auto& b) {
        return a.first < b.first || (a.first == b.first && a.second < b.second);
      });
    }
    if (q->direction == rest::sort_direction::desc)
      std::reverse(hits.begin(), hits.end());
    rest::collection_page page{r.name, *q, rq.query, hits.size(), {}};
    for (uint64_t i = q->offset(); i < hits.size() && i - q->offset() < q->rows;
         ++i) {
      auto doc = api.load(r, hits[i].second);
      if (doc && *doc)
        page.items.push_back(
            api.item_json(r, *who, hits[i].second, **doc, q->filters));
    }
    respond(rest::collection_response(page));
  }

  void get(http::request rq, const http::respond_fn& respond) const {
    auto filters = first_values(rq);
    auto it = address(rq, auth::http_method::get, filters);
    if (!it)
      return respond(error_response(it.err()));
    respond(rest::hal_response(
        api.item_json(r, it->who, it->id, it->doc, filters)));
  }

  // Runs a write and answers it; `status` is the success code.
  void run(const auth::principal& who, write_build build, unsigned status,
           rest::prefer_return prefer, http::respond_fn respond) const {
    api.write(who, std::move(build),
              [this, who, status, prefer,
               respond = std::move(respond)](api_result<uint64_t> id) {
                if (!id)
                  return respond(error_response(id.err()));
                respond(write_response(api, r, who, *id, status, prefer));
              });
  }

  void create(http::request rq, http::respond_fn respond) const {
    auto who = admit(api, r, rq, auth::http_method::post);
    if (!who)
      return respond(error_response(who.err()));
    auto body = rest::read_body(rq);
    if (!body)
      return respond(error_response(body.err()));
    auto input = checked_input(r, *body, write_mode::create);
    if (!input)
      return respond(error_response(input.err()));
    const auto& def = r;
    run(
        *who,
        [&def, input = std::move(*input)](write_ctx& c) {
          return def.write(c, std::nullopt, nullptr, input);
        },
        201, rest::parse_prefer(rq), std::move(respond));
  }

  // PUT and PATCH: `doc` is the full new representation.
  void replace(const auth::principal& who, uint64_t id, const json& doc,
               const http::request& rq, http::respond_fn respond) const {
    auto input = checked_input(r, doc, write_mode::replace);
    if (!input)
      return respond(error_response(input.err()));
    const auto& def = r;
    run(
        who,
        [&def, id,
         input = std::move(*input)](write_ctx& c) -> api_result<uint64_t> {
          auto old = current(c, def, id);
          if (!old)
            return old.err();
          return def.write(c, id, &*old, input);
        },
        204, rest::parse_prefer(rq), std::move(respond));
  }

  void put(http::request rq, http::respond_fn respond) const {
    auto it = address(rq, auth::http_method::put);
    if (!it)
      return respond(error_response(it.err()));
    auto body = rest::read_body(rq);
    if (!body)
      return respond(error_response(body.err()));
    replace(it->who, it->id, *body, rq, std::move(respond));
  }

  void patch(http::request rq, http::respond_fn respond) const {
    auto it = address(rq, auth::http_method::patch);
    if (!it)
      return respond(error_response(it.err()));
    auto body = rest::read_body(rq);
    if (!body)
      return respond(error_response(body.err()));
    // The patch applies to the representation, as the client sees it.
    view_ctx v{api.reader(), it->who, no_filters};
    auto shown =
        r.render ? r.render(v, it->id, it->doc) : public_members(it->doc);
    auto patched = rest::patch_document(shown, *body, r.patch_ops);
    if (!patched)
      return respond(error_response(patched.err()));
    replace(it->who, it->id, *patched, rq, std::move(respond));
  }

  void erase(http::request rq, http::respond_fn respond) const {
    auto it = address(rq, auth::http_method::del);
    if (!it)
      return respond(error_response(it.err()));
    const auto& def = r;
    run(
        it->who,
        [&def, id = it->id](write_ctx& c) -> api_result<uint64_t> {
          auto old = current(c, def, id);
          if (!old)
            return old.err();
          auto st = def.erase(c, id, *old);
          if (!st)
            return st.err();
          return id;
        },
        204, rest::prefer_return::minimal, std::move(respond));
  }

  void options(bool item, const http::respond_fn& respond) const {
    auto methods = allowed_methods(r.roles, item);
    auto res = http::response::json(200, json{{"methods", methods}});
    res.set_header("Allow", http::join_allow(methods));
    if (item)
      res.set_header("Accept-Patch", std::string(rest::json_patch_media_type));
    else if (!r.roles.post.empty())
      res.set_header("Accept-Post",
                     "application/hal+json; "
                     "profile=http://purl.org/sipwise/ngcp-api/#rel-" +
                         r.name);
    respond(std::move(res));
  }
};

} // namespace

api_service::api_service(persistence::rocks_store& store, submit_fn submit,
                         auth::login_guard guard)
    : reader_(store)
    , submit_(std::move(submit))
    , auth_(reader_, std::move(guard)) {}

void api_service::add(resource_def r) {
  resources_.push_back(std::make_unique<resource_def>(std::move(r)));
}

std::vector<const resource_def*> api_service::resources() const {
  std::vector<const resource_def*> out;
  for (const auto& r : resources_)
    out.push_back(r.get());
  return out;
}

const resource_def* api_service::find(std::string_view name) const {
  for (const auto& r : resources_)
    if (r->name == name)
      return r.get();
  return nullptr;
}

bool api_service::set_source(std::string_view name,
                             std::shared_ptr<const document_source> source) {
  for (auto& r : resources_)
    if (r->name == name) {
      r->source = std::move(source);
      return true;
    }
  return false;
}

result<std::optional<json>> api_service::load(const resource_def& r,
                                              uint64_t id) const {
  if (r.source)
    return r.source->load(id);
  return reader_.load(r.kind, id, r.family);
}

status api_service::each(
    const resource_def& r,
    const std::function<bool(uint64_t, const json&)>& visit) const {
  if (r.source)
    return r.source->each(visit);
  return reader_.each(r.kind, visit, r.family);
}

json api_service::item_json(
    const resource_def& r, const auth::principal& who, uint64_t id,
    const json& doc, const std::map<std::string, std::string>& filters) const {
  view_ctx v{reader_, who, filters};
  return rest::hal_item(
      r.name, id, r.render ? r.render(v, id, doc) : public_members(doc),
      r.links ? r.links(id, doc) : std::vector<rest::hal_link>{});
}

void api_service::write(const auth::principal& who, write_build build,
                        std::function<void(api_result<uint64_t>)> done) {
  struct outcome {
    std::optional<api_error> refused;
    uint64_t id = 0;
  };
  auto out = std::make_shared<outcome>();
  auto t = std::make_shared<actors::provisioning_txn>();
  t->build = [out, who, build = std::move(build)](
                 persistence::entity_txn& txn) -> status {
    write_ctx c{who, txn, unix_now_ms()};
    auto id = build(c);
    if (!id) {
      out->refused = id.err();
      return error{id.err().message};
    }
    out->id = *id;
    return {};
  };
  t->done = [out, done = std::move(done)](result<uint64_t> pos) {
    if (out->refused)
      return done(*out->refused);
    if (!pos) {
      spdlog::error("api: provisioning write failed: {}", pos.err().message);
      return done(rest::internal_error());
    }
    done(out->id);
  };
  submit_(std::move(t));
}

status api_service::add_resource_routes(http::router& router,
                                        const resource_def& r) {
  auto h = std::make_shared<handlers>(handlers{*this, r});
  auto coll = "/api/" + r.name + "/";
  auto item = coll + "{id}";
  const auto& m = r.roles;
  auto add = [&](const char* method, const std::string& pattern,
                 auto fn) -> status {
    return router.add(method, pattern,
                      [h, fn](http::request rq, http::respond_fn respond) {
                        ((*h).*fn)(std::move(rq), std::move(respond));
                      });
  };
  status st;
  auto chain = [&](status s) {
    if (st && !s)
      st = s;
  };
  // The reference answers collections with and without the trailing slash.
  auto bare = "/api/" + r.name;
  if (!m.get.empty()) {
    chain(add("GET", coll, &handlers::list));
    chain(add("GET", bare, &handlers::list));
    chain(add("GET", item, &handlers::get));
  }
  if (!m.post.empty()) {
    chain(add("POST", coll, &handlers::create));
    chain(add("POST", bare, &handlers::create));
  }
  if (!m.put.empty())
    chain(add("PUT", item, &handlers::put));
  if (!m.patch.empty())
    chain(add("PATCH", item, &handlers::patch));
  if (!m.del.empty())
    chain(add("DELETE", item, &handlers::erase));
  chain(
      router.add("OPTIONS", coll, [h](http::request, http::respond_fn respond) {
        h->options(false, respond);
      }));
  chain(
      router.add("OPTIONS", item, [h](http::request, http::respond_fn respond) {
        h->options(true, respond);
      }));
  return st;
}

} // namespace sb::mgmt::api
