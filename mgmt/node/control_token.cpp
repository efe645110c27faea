#include "mgmt/node/control_token.hpp"

#include "common/fs.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace sb::mgmt {

std::filesystem::path
control_token_path(const std::filesystem::path& data_dir) {
  return data_dir / "control.token";
}

result<std::string> ensure_secret_file(const std::filesystem::path& path,
                                       std::string_view what) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return fs::read_file(path);
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1)
    return error{"cannot generate a " + std::string(what) + ": no randomness"};
  static constexpr char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char c : raw) {
    token += hex[c >> 4];
    token += hex[c & 0xf];
  }
  if (auto st = fs::write_file_durably(path, token, 0600); !st)
    return st.err();
  return token;
}

result<std::string>
ensure_control_token(const std::filesystem::path& data_dir) {
  return ensure_secret_file(control_token_path(data_dir), "control token");
}

std::filesystem::path endpoint_path(const std::filesystem::path& data_dir) {
  return data_dir / "mgmt.endpoint";
}

bool token_matches(const std::string& presented, const std::string& real) {
  return presented.size() == real.size() && !real.empty() &&
         CRYPTO_memcmp(presented.data(), real.data(), real.size()) == 0;
}

} // namespace sb::mgmt
