#include "mgmt/rest/patch.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace sb::mgmt::rest {

namespace {

struct key_spec {
  std::string_view name;
  bool required;
};

struct op_spec {
  patch_op op;
  std::string_view name;
  std::vector<key_spec> keys; // in message order
};

const std::array<op_spec, 6>& op_specs() {
  static const std::array<op_spec, 6> specs{{
      {patch_op::add,
       "add",
       {{"path", true}, {"value", true}, {"mode", false}}},
      {patch_op::remove,
       "remove",
       {{"path", true}, {"value", false}, {"index", false}}},
      {patch_op::replace, "replace", {{"path", true}, {"value", true}}},
      {patch_op::move, "move", {{"from", true}, {"path", true}}},
      {patch_op::copy, "copy", {{"from", true}, {"path", true}}},
      {patch_op::test, "test", {{"path", true}, {"value", true}}},
  }};
  return specs;
}

const op_spec& spec_of(patch_op op) {
  return op_specs()[static_cast<std::size_t>(op) - 1];
}

std::string squote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

/// nlohmann's what() minus its "[json.exception.x.nnn] " prefix.
std::string detail_of(const std::exception& e) {
  std::string s = e.what();
  if (!s.empty() && s.front() == '[') {
    if (auto pos = s.find("] "); pos != std::string::npos)
      s.erase(0, pos + 2);
  }
  return s;
}

using json = nlohmann::json;

/// "add" with "mode":"append".
void append(json& doc, const json& op) {
  std::string path = op.at("path").get<std::string>();
  if (path.size() >= 2 && path.ends_with("/-"))
    path.resize(path.size() - 2);
  const json values = op.at("value").is_array() ? op.at("value")
                                                : json::array({op.at("value")});
  const json::json_pointer ptr(path);
  if (!doc.contains(ptr) || doc.at(ptr).is_null()) {
    doc = doc.patch(
        json::array({{{"op", "add"}, {"path", path}, {"value", values}}}));
    return;
  }
  json& target = doc.at(ptr);
  if (!target.is_array())
    throw std::runtime_error("invalid attempt to append in not-array path '" +
                             path + "'");
  for (const auto& v : values)
    target.push_back(v);
}

/// "remove" with "value" [and "index"].
void remove_values(json& doc, const json& op) {
  const json::json_pointer ptr(op.at("path").get<std::string>());
  if (!doc.contains(ptr))
    throw std::runtime_error("path '" + op.at("path").get<std::string>() +
                             "' not found");
  const json& value = op.at("value");
  json& target = doc.at(ptr);
  if (!target.is_array()) {
    if (target == value)
      doc =
          doc.patch(json::array({{{"op", "remove"}, {"path", op.at("path")}}}));
    return;
  }
  // An array `value` removes every match of each element (index ignored),
  // as the reference does.
  const bool many = value.is_array();
  const auto matches = [&](const json& e) {
    return many ? std::find(value.begin(), value.end(), e) != value.end()
                : e == value;
  };
  if (many || !op.contains("index")) {
    target.erase(std::remove_if(target.begin(), target.end(), matches),
                 target.end());
    return;
  }
  const auto& idx = op.at("index");
  if (!idx.is_number_integer() || idx.get<std::int64_t>() < 0)
    throw std::runtime_error("delete index " + idx.dump() + " is not valid");
  auto wanted = idx.get<std::uint64_t>();
  for (auto it = target.begin(); it != target.end(); ++it) {
    if (matches(*it) && wanted-- == 0) {
      target.erase(it);
      return;
    }
  }
  throw std::runtime_error("delete index " + idx.dump() + " out of bounds");
}

} // namespace

std::string_view to_string(patch_op op) noexcept {
  return spec_of(op).name;
}

std::optional<patch_op> patch_op_from(std::string_view name) noexcept {
  for (const auto& s : op_specs())
    if (s.name == name)
      return s.op;
  return std::nullopt;
}

api_status validate_patch(const json& patch,
                          const std::vector<patch_op>& allowed) {
  if (!patch.is_array())
    return bad_request("Body for PATCH must be an array.");
  for (const auto& elem : patch) {
    if (!elem.is_object())
      return bad_request("Array in body of PATCH must only contain hashes.");
    if (!elem.contains("op"))
      return bad_request("PATCH element must have an 'op' field.");
    const json& op_value = elem.at("op");
    auto op = op_value.is_string()
                  ? patch_op_from(op_value.get_ref<const std::string&>())
                  : std::nullopt;
    if (!op ||
        std::find(allowed.begin(), allowed.end(), *op) == allowed.end()) {
      std::string names;
      for (auto a : allowed)
        names += (names.empty() ? "" : ", ") + squote(to_string(a));
      return bad_request("Invalid PATCH op " + squote(input_text(op_value)) +
                         ", must be one of " + names);
    }
    const auto& spec = spec_of(*op);
    for (const auto& [key, _] : elem.items()) {
      if (key == "op")
        continue;
      if (std::none_of(spec.keys.begin(), spec.keys.end(),
                       [&](const key_spec& k) { return k.name == key; })) {
        std::string names;
        for (const auto& k : spec.keys)
          names += (names.empty() ? "" : ", ") + squote(k.name);
        return bad_request("Invalid PATCH key " + squote(key) + " for op " +
                           squote(spec.name) + ", must be one of " + names);
      }
    }
    std::string missing;
    for (const auto& k : spec.keys)
      if (k.required && !elem.contains(k.name))
        missing += (missing.empty() ? "" : ", ") + squote(k.name);
    if (!missing.empty())
      return bad_request("Missing PATCH keys " + missing + " for op " +
                         squote(spec.name));
    if (*op == patch_op::add && elem.contains("mode") &&
        elem.at("mode") != "append")
      return bad_request("Invalid PATCH op 'add' modifier 'mode' value " +
                         squote(input_text(elem.at("mode"))) +
                         ". Allowed values are 'append'");
  }
  return api_ok();
}

api_result<json> apply_patch(const json& doc, const json& patch) {
  json out = doc;
  try {
    for (const auto& op : patch) {
      const auto& name = op.at("op");
      if (name == "add" && op.contains("mode"))
        append(out, op);
      else if (name == "remove" && op.contains("value"))
        remove_values(out, op);
      else
        out = out.patch(json::array({op}));
    }
  } catch (const std::exception& e) {
    return unprocessable(detail_of(e));
  }
  return out;
}

api_result<json> patch_document(const json& doc, const json& patch,
                                const std::vector<patch_op>& allowed) {
  if (auto st = validate_patch(patch, allowed); !st)
    return st.err();
  return apply_patch(doc, patch);
}

} // namespace sb::mgmt::rest
