#include "common/config/history.hpp"

#include "common/config/loader.hpp"
#include "common/fs.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>
#include <unistd.h>

namespace sb::config {

namespace {

namespace stdfs = std::filesystem;

std::string id_name(uint64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(id));
  return buf;
}

// *.yml files directly in `dir`, by name.
std::map<std::string, std::string> read_yml_files(const stdfs::path& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".yml")
      continue;
    if (auto text = fs::read_file(e.path()))
      out[e.path().filename().string()] = std::move(*text);
  }
  return out;
}

result<commit_info> read_meta(const stdfs::path& snap) {
  auto text = fs::read_file(snap / "meta.json");
  if (!text)
    return text.err();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return error{"corrupt commit metadata " + (snap / "meta.json").string()};
  commit_info c;
  c.id = j.value("id", uint64_t{0});
  c.time_s = j.value("time", int64_t{0});
  c.user = j.value("user", "");
  c.message = j.value("message", "");
  c.fingerprint = j.value("fingerprint", "");
  c.files = j.value("files", std::vector<std::string>{});
  return c;
}

} // namespace

history::history(std::filesystem::path config_dir)
    : dir_(std::move(config_dir))
    , root_(dir_ / ".history") {}

std::filesystem::path history::snapshot_dir(uint64_t id) const {
  return root_ / id_name(id);
}

result<std::vector<commit_info>> history::list() const {
  std::vector<commit_info> out;
  std::error_code ec;
  if (!stdfs::exists(root_, ec))
    return out;
  for (const auto& e : stdfs::directory_iterator(root_, ec)) {
    auto name = e.path().filename().string();
    if (!e.is_directory() || name.empty() || name[0] == '.')
      continue;
    auto meta = read_meta(e.path());
    if (!meta)
      return meta.err();
    out.push_back(std::move(*meta));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

result<std::optional<commit_info>> history::latest() const {
  auto all = list();
  if (!all)
    return all.err();
  if (all->empty())
    return std::optional<commit_info>{};
  return std::optional<commit_info>{all->back()};
}

result<std::vector<file_change>> history::changed_files() const {
  auto last = latest();
  if (!last)
    return last.err();
  auto now = read_yml_files(dir_);
  std::map<std::string, std::string> then;
  if (*last)
    then = read_yml_files(snapshot_dir((*last)->id));
  std::vector<file_change> out;
  for (const auto& [name, text] : now) {
    auto it = then.find(name);
    if (it == then.end())
      out.push_back({name, "added"});
    else if (it->second != text)
      out.push_back({name, "modified"});
  }
  for (const auto& [name, text] : then)
    if (!now.count(name))
      out.push_back({name, "removed"});
  return out;
}

result<commit_info> history::commit(const std::string& message,
                                    const std::string& user, int64_t now_s) {
  auto last = latest();
  if (!last)
    return last.err();
  std::error_code ec;
  stdfs::create_directories(root_, ec);
  if (ec)
    return error{"cannot create " + root_.string() + ": " + ec.message()};
  commit_info c;
  c.id = *last ? (*last)->id + 1 : 1;
  c.time_s = now_s;
  c.user = user;
  c.message = message;
  auto tmp = root_ / (".tmp-" + std::to_string(::getpid()));
  stdfs::remove_all(tmp, ec);
  stdfs::create_directory(tmp, ec);
  if (ec)
    return error{"cannot create " + tmp.string() + ": " + ec.message()};
  auto files = read_yml_files(dir_);
  for (const auto& [name, text] : files) {
    if (auto st = fs::write_file_durably(tmp / name, text); !st)
      return st.err();
    c.files.push_back(name);
  }
  nlohmann::json meta{{"id", c.id},
                      {"time", c.time_s},
                      {"user", c.user},
                      {"message", c.message},
                      {"files", c.files}};
  // The fingerprint is the loader's, so a running node can tell whether it
  // runs this commit.
  c.fingerprint = fingerprint_dir(tmp);
  meta["fingerprint"] = c.fingerprint;
  if (auto st = fs::write_file_durably(tmp / "meta.json", meta.dump(2) + "\n");
      !st)
    return st.err();
  auto final_dir = snapshot_dir(c.id);
  if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
    stdfs::remove_all(tmp, ec);
    return error{"cannot record commit " + std::to_string(c.id) +
                 " (another commit at the same time?)"};
  }
  if (auto st = fs::sync_directory(root_); !st)
    return st.err();
  return c;
}

} // namespace sb::config
