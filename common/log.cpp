#include "common/log.hpp"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace sb::log {

namespace {

// One JSON object per line; spdlog's patterns cannot escape the message.
class json_formatter final : public spdlog::formatter {
public:
  explicit json_formatter(std::string node)
      : node_(std::move(node)) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  msg.time.time_since_epoch())
                  .count();
    auto lvl = spdlog::level::to_string_view(msg.level);
    nlohmann::json j{
        {"ts_ms", ms},
        {"level", std::string(lvl.data(), lvl.size())},
        {"node", node_},
        {"thread", msg.thread_id},
        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    auto line =
        j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>(node_);
  }

private:
  std::string node_;
};

} // namespace

void init(const std::string& node, std::string_view format,
          std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("sb");
  if (format == "json")
    logger->set_formatter(std::make_unique<json_formatter>(node));
  else
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %-5l [" + node + "] %v");
  spdlog::set_default_logger(logger);
  set_level(level);
  spdlog::flush_on(spdlog::level::info);
}

bool set_level(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for names it does not know.
  if (lvl == spdlog::level::off && level != "off")
    return false;
  spdlog::set_level(lvl);
  return true;
}

std::string level() {
  // spdlog names warn "warning"; answer with the name the config uses.
  if (spdlog::get_level() == spdlog::level::warn)
    return "warn";
  auto sv = spdlog::level::to_string_view(spdlog::get_level());
  return std::string(sv.data(), sv.size());
}

} // namespace sb::log
