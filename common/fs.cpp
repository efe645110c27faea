#include "common/fs.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace sb::fs {

namespace {

error errno_error(std::string_view what, const std::filesystem::path& path) {
  return error{std::string(what) + " " + path.string() + ": " +
               std::strerror(errno)};
}

} // namespace

status sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return errno_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return errno_error("cannot fsync directory", dir);
  return {};
}

status write_file_durably(const std::filesystem::path& path,
                          std::string_view data, unsigned mode) {
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  static_cast<mode_t>(mode));
  if (fd < 0)
    return errno_error("cannot create", tmp);
  size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      auto err = errno_error("cannot write", tmp);
      ::close(fd);
      return err;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = errno_error("cannot fsync", tmp);
    ::close(fd);
    return err;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return errno_error("cannot rename onto", path);
  return sync_directory(path.parent_path());
}

result<std::string> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) &&
      !std::filesystem::is_regular_file(path, ec))
    return error{"cannot read " + path.string() + ": not a regular file"};
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return error{"cannot read " + path.string() + ": " + std::strerror(errno)};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace sb::fs
