#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace sb::mgmt {

/// Where a node keeps the secret that authorizes sbctl's control requests
/// (reload, status, log level): <data_dir>/control.token, mode 0600, so only
/// the node's own user on its machine can read it.
std::filesystem::path control_token_path(const std::filesystem::path& data_dir);

/// Reads the secret in `path`, creating a random one (32 bytes, hex, mode
/// 0600) if there is none. `what` names it in errors.
result<std::string> ensure_secret_file(const std::filesystem::path& path,
                                       std::string_view what);

/// Reads the token, creating a random one (32 bytes, hex) if there is none.
result<std::string> ensure_control_token(const std::filesystem::path& data_dir);

/// Where a running node records the address its management listener
/// actually bound (<data_dir>/mgmt.endpoint, "ip:port"), so sbctl reaches
/// it even after mgmt.port changed in files the node has not restarted on.
std::filesystem::path endpoint_path(const std::filesystem::path& data_dir);

/// Compares a presented token with the real one in constant time.
bool token_matches(const std::string& presented, const std::string& real);

} // namespace sb::mgmt
