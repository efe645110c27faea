#include "mgmt/rest/hal.hpp"

#include "mgmt/http/message.hpp"

namespace sb::mgmt::rest {

namespace {

nlohmann::json link(std::string href) {
  return nlohmann::json{{"href", std::move(href)}};
}

nlohmann::json curies() {
  return nlohmann::json{{"name", "ngcp"},
                        {"href", "http://purl.org/sipwise/ngcp-api/#rel-{rel}"},
                        {"templated", true}};
}

/// RFC 3986 query component encoding: unreserved characters stay.
std::string encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

} // namespace

std::string collection_href(std::string_view coll) {
  return "/api/" + std::string(coll) + "/";
}

std::string item_href(std::string_view coll, const nlohmann::json& id) {
  return collection_href(coll) +
         (id.is_string() ? id.get<std::string>() : id.dump());
}

nlohmann::json hal_item(std::string_view coll, const nlohmann::json& id,
                        const nlohmann::json& fields,
                        const std::vector<hal_link>& extra) {
  nlohmann::json out = fields.is_object() ? fields : nlohmann::json::object();
  const std::string self = item_href(coll, id);
  nlohmann::json links = {
      {"curies", curies()},
      {"collection", link(collection_href(coll))},
      {"profile", link(std::string(ngcp_profile))},
      {"self", link(self)},
      {"ngcp:" + std::string(coll), link(self)},
  };
  for (const auto& l : extra) {
    auto& slot = links["ngcp:" + l.rel];
    if (slot.is_null())
      slot = link(l.href);
    else if (slot.is_object())
      slot = nlohmann::json::array({slot, link(l.href)});
    else
      slot.push_back(link(l.href));
  }
  out["_links"] = std::move(links);
  out["id"] = id;
  return out;
}

std::string page_href(const collection_page& c, std::uint64_t page) {
  std::string href = collection_href(c.coll) + "?page=" + std::to_string(page) +
                     "&rows=" + std::to_string(c.query.rows);
  for (const auto& [k, v] : c.params) {
    if (k == "page" || k == "rows")
      continue;
    href += "&" + encode(k) + "=" + encode(v);
  }
  return href;
}

nlohmann::json hal_collection(const collection_page& c) {
  const auto& q = c.query;
  nlohmann::json links = {
      {"self", link(page_href(c, q.page))},
      {"curies", curies()},
      {"profile", link(std::string(ngcp_profile))},
  };
  // page*rows < total, without overflow: page < ceil(total/rows).
  const std::uint64_t rows = q.rows == 0 ? 1 : q.rows;
  if (q.page < c.total_count / rows + (c.total_count % rows != 0))
    links["next"] = link(page_href(c, q.page + 1));
  if (q.page > 1)
    links["prev"] = link(page_href(c, q.page - 1));

  nlohmann::json out = {{"_links", nlohmann::json::object()},
                        {"total_count", c.total_count}};
  const std::string rel = "ngcp:" + c.coll;
  if (!c.items.empty()) {
    auto hrefs = nlohmann::json::array();
    for (const auto& item : c.items) {
      const auto* self = item.is_object() && item.contains("_links")
                             ? &item["_links"]
                             : nullptr;
      if (self && self->contains("self"))
        hrefs.push_back(link((*self)["self"].value("href", "")));
      else if (item.is_object() && item.contains("id"))
        hrefs.push_back(link(item_href(c.coll, item["id"])));
    }
    links[rel] = std::move(hrefs);
    out["_embedded"] = nlohmann::json{{rel, c.items}};
  }
  out["_links"] = std::move(links);
  return out;
}

http::response hal_response(const nlohmann::json& hal, unsigned status) {
  auto r = http::response::json(status, hal);
  r.set_header("Content-Type", std::string(hal_content_type));
  return r;
}

http::response collection_response(const collection_page& c) {
  return hal_response(hal_collection(c));
}

} // namespace sb::mgmt::rest
