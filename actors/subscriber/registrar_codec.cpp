// JSON form of the registrar state (persistence, replication, migration).
// Layout, version 1:
//   {"version":1, "aor":"sip:a@d", "seq":7, "bindings":[
//     {"uri", "params", "q" (thousandths|null), "instance" (|null),
//      "reg_id" (|null), "call_id", "cseq", "expires_at" (ns|null =
//      permanent), "updated_at" (ns), "seq", "path":[...],
//      "received" ({"transport","ip","port"}|null), "natted",
//      "user_agent", "local_socket"}]}
#include "actors/subscriber/registrar_state.hpp"

#include "common/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <limits>

namespace sb::actors::subscriber {

int64_t to_unix_ns(time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             t.time_since_epoch())
      .count();
}

time_point from_unix_ns(int64_t ns) {
  return time_point{std::chrono::duration_cast<time_point::duration>(
      std::chrono::nanoseconds(ns))};
}

namespace {

using nlohmann::json;

json received_to_json(const std::optional<source_address>& r) {
  if (!r)
    return nullptr;
  return {
      {"transport", to_string(r->transport)}, {"ip", r->ip}, {"port", r->port}};
}

// Reads JSON values; the first problem is kept, with its JSON Pointer.
// After a failure the getters return defaults, so decoding runs on and
// the caller checks `failed()` once at the end of each object.
class decoder {
public:
  bool failed() const { return !err_.empty(); }
  const std::string& err() const { return err_; }

  void fail(const std::string& path, std::string_view what) {
    if (err_.empty())
      err_ = (path.empty() ? std::string("(root)") : path) + ": " +
             std::string(what);
  }

  // `j` must be an object with exactly the members `names`.
  bool object(const json& j, const std::string& path,
              std::initializer_list<std::string_view> names) {
    if (!j.is_object()) {
      fail(path, "expected an object");
      return false;
    }
    for (auto name : names) {
      if (!j.contains(name))
        fail(path + "/" + std::string(name), "missing");
    }
    for (const auto& [key, value] : j.items()) {
      if (std::find(names.begin(), names.end(), key) == names.end())
        fail(path + "/" + key, "unknown member");
    }
    return !failed();
  }

  std::string str(const json& j, const std::string& path) {
    if (!j.is_string()) {
      fail(path, "expected a string");
      return {};
    }
    return j.get<std::string>();
  }

  uint64_t uint(const json& j, const std::string& path, uint64_t max) {
    if (!j.is_number_integer() ||
        (!j.is_number_unsigned() && j.get<int64_t>() < 0)) {
      fail(path, "expected an unsigned integer");
      return 0;
    }
    auto v = j.get<uint64_t>();
    if (v > max)
      fail(path, "out of range (max " + std::to_string(max) + ")");
    return v;
  }

  int64_t int64(const json& j, const std::string& path) {
    if (!j.is_number_integer()) {
      fail(path, "expected an integer");
      return 0;
    }
    if (j.is_number_unsigned() &&
        j.get<uint64_t>() >
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(path, "out of range");
      return 0;
    }
    return j.get<int64_t>();
  }

  bool boolean(const json& j, const std::string& path) {
    if (!j.is_boolean()) {
      fail(path, "expected a boolean");
      return false;
    }
    return j.get<bool>();
  }

  std::vector<std::string> strings(const json& j, const std::string& path) {
    std::vector<std::string> out;
    if (!j.is_array()) {
      fail(path, "expected an array");
      return out;
    }
    for (size_t i = 0; i < j.size(); ++i)
      out.push_back(str(j[i], path + "/" + std::to_string(i)));
    return out;
  }

private:
  std::string err_;
};

std::optional<source_address> received_from_json(decoder& d, const json& j,
                                                 const std::string& path) {
  if (j.is_null())
    return std::nullopt;
  if (!d.object(j, path, {"transport", "ip", "port"}))
    return std::nullopt;
  source_address r;
  auto name = d.str(j.at("transport"), path + "/transport");
  if (auto t = parse_transport(name); t && !d.failed())
    r.transport = *t;
  else
    d.fail(path + "/transport", "unknown transport \"" + name + "\"");
  r.ip = d.str(j.at("ip"), path + "/ip");
  r.port = static_cast<uint16_t>(d.uint(j.at("port"), path + "/port", 65535));
  return r;
}

void binding_optionals(decoder& d, const json& j, const std::string& path,
                       binding& b) {
  if (!j.at("q").is_null())
    b.q = static_cast<uint16_t>(d.uint(j.at("q"), path + "/q", 1000));
  if (!j.at("instance").is_null())
    b.instance = d.str(j.at("instance"), path + "/instance");
  if (!j.at("reg_id").is_null())
    b.reg_id = static_cast<uint32_t>(
        d.uint(j.at("reg_id"), path + "/reg_id", 0xffffffffu));
  b.expires_at =
      j.at("expires_at").is_null()
          ? permanent_expiry
          : from_unix_ns(d.int64(j.at("expires_at"), path + "/expires_at"));
  b.received = received_from_json(d, j.at("received"), path + "/received");
}

binding binding_from_json(decoder& d, const json& j, const std::string& path) {
  binding b;
  if (!d.object(j, path,
                {"uri", "params", "q", "instance", "reg_id", "call_id", "cseq",
                 "expires_at", "updated_at", "seq", "path", "received",
                 "natted", "user_agent", "local_socket"}))
    return b;
  b.uri = d.str(j.at("uri"), path + "/uri");
  if (b.uri.empty() && !d.failed())
    d.fail(path + "/uri", "empty");
  b.params = d.str(j.at("params"), path + "/params");
  b.call_id = d.str(j.at("call_id"), path + "/call_id");
  b.cseq =
      static_cast<uint32_t>(d.uint(j.at("cseq"), path + "/cseq", 0xffffffffu));
  b.updated_at =
      from_unix_ns(d.int64(j.at("updated_at"), path + "/updated_at"));
  b.seq =
      d.uint(j.at("seq"), path + "/seq", std::numeric_limits<uint64_t>::max());
  b.path = d.strings(j.at("path"), path + "/path");
  b.natted = d.boolean(j.at("natted"), path + "/natted");
  b.user_agent = d.str(j.at("user_agent"), path + "/user_agent");
  b.local_socket = d.str(j.at("local_socket"), path + "/local_socket");
  binding_optionals(d, j, path, b);
  if (b.natted && !b.received && !d.failed())
    d.fail(path + "/received", "a natted binding needs a received address");
  return b;
}

// Two bindings that the registrar would treat as one.
bool same_key(const binding& a, const binding& b) {
  if (a.instance && b.instance)
    return instance_equal(*a.instance, *b.instance) && a.reg_id == b.reg_id;
  return sip_uri_equal(a.uri, b.uri);
}

void check_invariants(decoder& d, const registrar_state& st) {
  for (size_t i = 0; i < st.bindings.size(); ++i) {
    auto path = "/bindings/" + std::to_string(i);
    if (st.bindings[i].seq > st.seq)
      d.fail(path + "/seq", "higher than the state's seq");
    for (size_t k = 0; k < i; ++k) {
      if (same_key(st.bindings[k], st.bindings[i]))
        d.fail(path, "same binding as /bindings/" + std::to_string(k));
    }
  }
}

} // namespace

nlohmann::json to_json(const binding& b) {
  return {{"uri", b.uri},
          {"params", b.params},
          {"q", nullable(b.q)},
          {"instance", nullable(b.instance)},
          {"reg_id", nullable(b.reg_id)},
          {"call_id", b.call_id},
          {"cseq", b.cseq},
          {"expires_at",
           is_permanent(b) ? json(nullptr) : json(to_unix_ns(b.expires_at))},
          {"updated_at", to_unix_ns(b.updated_at)},
          {"seq", b.seq},
          {"path", b.path},
          {"received", received_to_json(b.received)},
          {"natted", b.natted},
          {"user_agent", b.user_agent},
          {"local_socket", b.local_socket}};
}

nlohmann::json to_json(const registrar_state& st) {
  json bindings = json::array();
  for (const auto& b : st.bindings)
    bindings.push_back(to_json(b));
  return {{"version", registrar_state_version},
          {"aor", st.aor},
          {"seq", st.seq},
          {"bindings", std::move(bindings)}};
}

result<registrar_state> registrar_state_from_json(const nlohmann::json& j) {
  decoder d;
  registrar_state st;
  if (!d.object(j, "", {"version", "aor", "seq", "bindings"}))
    return error{"registrar state: " + d.err()};
  auto version = d.uint(j.at("version"), "/version", 1000);
  if (!d.failed() && version != registrar_state_version)
    d.fail("/version", "unsupported version " + std::to_string(version) +
                           " (this node reads " +
                           std::to_string(registrar_state_version) + ")");
  st.aor = d.str(j.at("aor"), "/aor");
  if (st.aor.empty() && !d.failed())
    d.fail("/aor", "empty");
  st.seq = d.uint(j.at("seq"), "/seq", std::numeric_limits<uint64_t>::max());
  const auto& bs = j.at("bindings");
  if (!bs.is_array())
    d.fail("/bindings", "expected an array");
  for (size_t i = 0; bs.is_array() && i < bs.size() && !d.failed(); ++i)
    st.bindings.push_back(
        binding_from_json(d, bs[i], "/bindings/" + std::to_string(i)));
  if (!d.failed())
    check_invariants(d, st);
  if (d.failed())
    return error{"registrar state: " + d.err()};
  return st;
}

} // namespace sb::actors::subscriber
