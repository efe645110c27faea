#pragma once

#include "mgmt/http/fwd.hpp"
#include "mgmt/rest/query.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sb::mgmt::rest {

/// Content-Type of every HAL body (the reference's Data::HAL header).
inline constexpr std::string_view hal_content_type =
    "application/hal+json; profile=\"http://purl.org/sipwise/ngcp-api/\"";

inline constexpr std::string_view ngcp_profile =
    "http://purl.org/sipwise/ngcp-api/";

/// An extra `ngcp:<rel>` link of an item, e.g. {"domains", "/api/domains/3"}.
/// Several links with the same rel render as an array, one as an object.
struct hal_link {
  std::string rel; ///< without the "ngcp:" prefix
  std::string href;
};

/// "/api/<coll>/" and "/api/<coll>/<id>". A string id is used verbatim,
/// a number in decimal.
std::string collection_href(std::string_view coll);
std::string item_href(std::string_view coll, const nlohmann::json& id);

/// A HAL item: `_links` (curies, collection, profile, self, ngcp:<coll>, then
/// `extra`), `id`, then every member of `fields` (an object; its own `id`
/// and `_links`, if any, are overwritten).
nlohmann::json hal_item(std::string_view coll, const nlohmann::json& id,
                        const nlohmann::json& fields,
                        const std::vector<hal_link>& extra = {});

/// One page of a collection, as a handler has fetched it.
struct collection_page {
  std::string coll; ///< resource name, e.g. "domains"
  list_query query; ///< the validated paging of this request
  /// The request's raw query (decoded); all but page/rows are preserved in
  /// self/next/prev, sorted by name, values percent-encoded.
  std::multimap<std::string, std::string> params;
  std::uint64_t total_count = 0;
  std::vector<nlohmann::json> items; ///< HAL items from `hal_item`
};

/// The "?page=..&rows=..[&k=v...]" query of a nav link for `page`.
std::string page_href(const collection_page& c, std::uint64_t page);

/// A HAL collection: `_links` (self, next when page*rows < total_count, prev
/// when page > 1, curies, profile, `ngcp:<coll>` array of the items' self
/// hrefs), `_embedded` {"ngcp:<coll>": items} and `total_count`. With no
/// items, `_embedded` and the `ngcp:<coll>` link are left out, as Data::HAL
/// does in the reference. Item arrays are arrays even with one item (the
/// reference collapses one to an object; HAL allows both).
nlohmann::json hal_collection(const collection_page& c);

/// 200 (or `status`) with the HAL body and `hal_content_type`.
http::response hal_response(const nlohmann::json& hal, unsigned status = 200);

/// 200 with `hal_collection(c)`.
http::response collection_response(const collection_page& c);

} // namespace sb::mgmt::rest
