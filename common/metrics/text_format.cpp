#include "common/metrics/text_format.hpp"

#include "common/metrics/counter.hpp"
#include "common/metrics/gauge.hpp"
#include "common/metrics/histogram.hpp"

#include <charconv>
#include <cmath>

// Prometheus text exposition format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/

namespace sb::metrics {

namespace {

bool name_char(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
    return true;
  if (colon_ok && c == ':')
    return true;
  return !first && c >= '0' && c <= '9';
}

void append_sample(std::string& out, const std::string& name,
                   std::string_view suffix, const std::string& labels,
                   std::string_view value) {
  out += name;
  out += suffix;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

} // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty())
    return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, true))
      return false;
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__")
    return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, false))
      return false;
  return true;
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '"':
      out += "\\\"";
      break;
    case '\n':
      out += "\\n";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  // 32 bytes always fit the shortest form of a double (at most 24 chars).
  return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

namespace detail {

void append_samples(std::string& out, const std::string& name,
                    const std::string& labels, const counter& c) {
  // Pure event counts stay exact integers even beyond 2^53.
  auto text = c.real_part() == 0 ? std::to_string(c.integer_part())
                                 : format_value(c.value());
  append_sample(out, name, "", labels, text);
}

void append_samples(std::string& out, const std::string& name,
                    const std::string& labels, const gauge& g) {
  append_sample(out, name, "", labels, format_value(g.value()));
}

void append_samples(std::string& out, const std::string& name,
                    const std::string& labels, const histogram& h) {
  auto counts = h.cumulative_counts();
  const auto& bounds = h.bounds();
  auto prefix = labels.empty() ? std::string() : labels + ",";
  for (size_t i = 0; i < counts.size(); ++i) {
    auto le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
    append_sample(out, name, "_bucket", prefix + "le=\"" + le + "\"",
                  std::to_string(counts[i]));
  }
  append_sample(out, name, "_sum", labels, format_value(h.sum()));
  append_sample(out, name, "_count", labels, std::to_string(counts.back()));
}

} // namespace detail

} // namespace sb::metrics
