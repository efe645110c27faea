#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including
// <utility>; under C++20 with GCC 12 that fails to compile. Every file that
// needs Asio includes this header instead of <boost/asio.hpp>.
#include <utility>

#include <boost/asio.hpp>
