#pragma once

#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace sb::test {

/// A configuration directory seeded with the repository's conf/ defaults,
/// whose files a test overwrites to provoke one problem at a time.
struct config_fixture {
  temp_dir dir{"sb-config"};

  config_fixture() {
    for (const char* f : {"config.yml", "constants.yml", "network.yml"})
      std::filesystem::copy_file(
          std::filesystem::path(SB_SOURCE_DIR) / "conf" / f, dir / f);
  }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::trunc) << text;
  }

  const std::filesystem::path& path() const { return dir.path(); }
};

} // namespace sb::test
