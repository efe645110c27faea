#pragma once

#include <cstddef>
#include <optional>

#include <nlohmann/json.hpp>

namespace sb::actors {

/// What replaying an actor trace through this build's pure core found:
/// identical, or the first step whose effects differ.
struct replay_result {
  bool identical = true;
  /// The first step that differed: nullopt for a call's `start`, else its
  /// index.
  std::optional<std::size_t> step;
  nlohmann::json expected; ///< the recorded effects there
  nlohmann::json actual;   ///< what this build answered
};

} // namespace sb::actors
