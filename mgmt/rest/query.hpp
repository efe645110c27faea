#pragma once

#include "mgmt/http/fwd.hpp"
#include "mgmt/rest/errors.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::mgmt::rest {

/// Default and ceiling for `rows`. A larger `rows` is silently capped (the
/// reference has no cap; one request must not pull a whole table).
inline constexpr std::uint64_t default_rows = 10;
inline constexpr std::uint64_t default_max_rows = 1000;

/// What a collection accepts in its query string.
struct list_spec {
  /// Field names accepted by `order_by`.
  std::vector<std::string> sortable;
  /// Filter parameter names; other unknown parameters are ignored.
  std::vector<std::string> filters;
  /// `rows` above this is capped to it. Must be > 0.
  std::uint64_t max_rows = default_max_rows;
};

enum class sort_direction : std::uint8_t { asc = 1, desc };

/// A validated paging/sorting/filtering request.
struct list_query {
  std::uint64_t page = 1;              ///< >= 1
  std::uint64_t rows = default_rows;   ///< 1..max_rows
  std::optional<std::string> order_by; ///< one of list_spec::sortable
  sort_direction direction = sort_direction::asc;
  /// Declared filters present in the query (first value if repeated).
  std::map<std::string, std::string> filters;

  /// Rows to skip: (page-1)*rows, saturating at UINT64_MAX.
  std::uint64_t offset() const noexcept;
};

/// Parses `page`, `rows`, `order_by`, `order_by_direction` and the declared
/// filters. Errors (all 400):
/// - page/rows not a decimal integer >= 1: "Query parameters 'page' and
///   'rows', when specified, must be greater than 0."
/// - order_by not sortable: "Invalid order_by field '<f>', must be one of
///   'a', 'b'" (an empty order_by counts as absent)
/// - direction not asc/desc (any case): "Invalid order_by_direction '<d>',
///   must be 'asc' or 'desc'"
api_result<list_query>
parse_list_query(const std::multimap<std::string, std::string>& query,
                 const list_spec& spec);

/// Same, reading `rq.query`.
api_result<list_query> parse_list_query(const http::request& rq,
                                        const list_spec& spec);

} // namespace sb::mgmt::rest
