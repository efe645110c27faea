#pragma once

#include <string>
#include <vector>

namespace sb::metrics {

class counter;
class gauge;
class histogram;
class family_base;
template <class Metric>
class family;
class registry;

/// Label values of one child, in the order of the family's label names.
using label_values = std::vector<std::string>;

using counter_family = family<counter>;
using gauge_family = family<gauge>;
using histogram_family = family<histogram>;

} // namespace sb::metrics
