#pragma once

#include "common/metrics/fwd.hpp"

#include <string>
#include <string_view>

namespace sb::metrics {

/// True for `[a-zA-Z_:][a-zA-Z0-9_:]*`.
bool valid_metric_name(std::string_view name);

/// True for `[a-zA-Z_][a-zA-Z0-9_]*` not starting with `__` (reserved by
/// Prometheus).
bool valid_label_name(std::string_view name);

/// Escapes backslash, double quote and newline for use inside `"..."`.
std::string escape_label_value(std::string_view v);

/// Escapes backslash and newline for a `# HELP` line.
std::string escape_help(std::string_view help);

/// Formats a sample value: shortest round-trip decimal, or `+Inf`, `-Inf`,
/// `NaN`.
std::string format_value(double v);

namespace detail {

// Sample lines of one child. `labels` is the rendered label list without
// braces (`a="x",b="y"`), possibly empty.
void append_samples(std::string& out, const std::string& name,
                    const std::string& labels, const counter& c);
void append_samples(std::string& out, const std::string& name,
                    const std::string& labels, const gauge& g);
void append_samples(std::string& out, const std::string& name,
                    const std::string& labels, const histogram& h);

} // namespace detail

} // namespace sb::metrics
