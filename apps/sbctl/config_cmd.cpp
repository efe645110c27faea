#include "apps/sbctl/config_cmd.hpp"

#include "apps/sbctl/targets.hpp"
#include "common/config/diff.hpp"
#include "common/config/history.hpp"
#include "common/config/loader.hpp"
#include "common/config/schema.hpp"
#include "common/fs.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

namespace sb::sbctl {

namespace {

// Exit codes: 0 done, 1 failed at run time, 2 invalid configuration or use.
constexpr int exit_failed = 1;
constexpr int exit_invalid = 2;

struct options {
  std::string config_dir = "conf";
  std::optional<std::string> node;
  std::optional<std::string> data_dir;
  std::string message;
  std::string key;
  std::string output;
  uint64_t id = 0;
};

[[noreturn]] void finish(int code) {
  std::cout.flush();
  std::exit(code);
}

std::vector<config::loaded_config> load_or_exit(const options& o) {
  return load_configs_or_exit(o.config_dir, o.node);
}

std::string user_name() {
  if (const char* u = std::getenv("SUDO_USER"))
    return u;
  if (const char* u = std::getenv("USER"))
    return u;
  if (const auto* pw = ::getpwuid(::getuid()))
    return pw->pw_name;
  return "uid" + std::to_string(::getuid());
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_time(int64_t t) {
  std::time_t tt = t;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
  return buf;
}

// The newest commit and the files changed since; exits on a broken history.
std::pair<std::optional<config::commit_info>, std::vector<config::file_change>>
history_state(const config::history& h) {
  auto last = h.latest();
  auto files = h.changed_files();
  if (!last || !files) {
    std::cerr << (last ? files.err() : last.err()).message << "\n";
    finish(exit_failed);
  }
  return {std::move(*last), std::move(*files)};
}

void print_changes(const std::string& node,
                   const std::vector<config::setting_change>& changes) {
  for (const auto& c : changes)
    std::cout << "  " << node << " " << c.key << ": " << c.before << " -> "
              << c.after << "  [" << config::to_string(c.mode) << "]\n";
}

// Key-level differences of every node between a committed snapshot (or
// nothing) and the working directory.
void print_setting_diff(const options& o,
                        const std::vector<config::loaded_config>& now,
                        const std::optional<std::filesystem::path>& then_dir) {
  if (!then_dir) {
    std::cout << "no commit yet: every file is new\n";
    return;
  }
  for (const auto& cfg : now) {
    auto then = config::load(*then_dir, cfg.node);
    if (!then) {
      std::cout << "  " << cfg.node << ": not in the last commit\n";
      continue;
    }
    print_changes(cfg.node, config::diff(*then, cfg));
  }
  (void)o;
}

void cmd_check(const options& o) {
  auto all = load_or_exit(o);
  for (const auto& c : all)
    std::cout << "ok: node " << c.node << " (" << c.files.size()
              << " files, fingerprint " << c.fingerprint << ")\n";
}

void cmd_show(const options& o) {
  auto all = load_or_exit(o);
  int rc = 0;
  for (const auto& c : all) {
    auto v = config::show_key(c, o.key);
    if (!v) {
      std::cerr << v.err().message << "\n";
      finish(exit_invalid);
    }
    if (all.size() > 1)
      std::cout << "# node " << c.node << "\n";
    std::cout << *v;
  }
  finish(rc);
}

void cmd_build(const options& o) {
  auto all = load_or_exit(o);
  for (const auto& c : all) {
    auto text = config::render_effective(c);
    if (o.output.empty()) {
      std::cout << text;
      continue;
    }
    auto path = std::filesystem::path(o.output) / (c.node + ".yml");
    std::error_code ec;
    std::filesystem::create_directories(o.output, ec);
    if (auto st = fs::write_file_durably(path, text); !st) {
      std::cerr << st.err().message << "\n";
      finish(exit_failed);
    }
    std::cout << "built " << path.string() << "\n";
  }
}

void cmd_diff(const options& o) {
  auto all = load_or_exit(o);
  config::history h(o.config_dir);
  auto [last, files] = history_state(h);
  if (files.empty()) {
    std::cout << "no changes since commit " << (last ? last->id : 0) << "\n";
    return;
  }
  for (const auto& f : files)
    std::cout << f.what << " " << f.name << "\n";
  std::optional<std::filesystem::path> then;
  if (last)
    then = h.snapshot_dir(last->id);
  print_setting_diff(o, all, then);
}

// Commits the working directory if it changed; returns false if there was
// nothing to commit.
bool commit_if_changed(const options& o, config::history& h) {
  auto files = h.changed_files();
  if (!files) {
    std::cerr << files.err().message << "\n";
    finish(exit_failed);
  }
  if (files->empty())
    return false;
  if (o.message.empty()) {
    std::cerr << "there are uncommitted changes; give a commit message with "
                 "-m\n";
    finish(exit_invalid);
  }
  auto c = h.commit(o.message, user_name(), now_s());
  if (!c) {
    std::cerr << c.err().message << "\n";
    finish(exit_failed);
  }
  std::cout << "committed " << c->id << ": " << c->message << "\n";
  return true;
}

void cmd_commit(const options& o) {
  load_or_exit(o); // never commit an invalid configuration
  config::history h(o.config_dir);
  if (!commit_if_changed(o, h))
    std::cout << "nothing to commit\n";
}

void cmd_apply(const options& o) {
  auto all = load_or_exit(o);
  config::history h(o.config_dir);
  commit_if_changed(o, h);
  int rc = 0;
  for (const auto& t : targets(all, o.node, o.data_dir)) {
    auto r = control(t, "POST", "/control/reload");
    if (!r) {
      std::cout << t.node << ": not reloaded (" << r.err().message
                << "); it will read the configuration when it starts\n";
      continue;
    }
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (r->status != 200 || j.is_discarded()) {
      std::cout << t.node << ": reload refused (HTTP " << r->status
                << "): " << r->body << "\n";
      rc = exit_failed;
      continue;
    }
    auto applied = j.value("applied", nlohmann::json::array());
    auto restart = j.value("restart_required", nlohmann::json::array());
    std::cout << t.node << ": reloaded, " << applied.size()
              << " setting(s) applied";
    for (const auto& a : applied)
      std::cout << "\n  applied " << a.value("key", "") << ": "
                << a.value("before", "") << " -> " << a.value("after", "");
    for (const auto& a : restart)
      std::cout << "\n  needs restart " << a.value("key", "") << ": "
                << a.value("before", "") << " -> " << a.value("after", "");
    std::cout << "\n";
  }
  finish(rc);
}

void cmd_status(const options& o) {
  auto all = load_or_exit(o);
  config::history h(o.config_dir);
  auto [last, files] = history_state(h);
  if (last)
    std::cout << "last commit: " << last->id << " " << format_time(last->time_s)
              << " " << last->user << ": " << last->message << "\n";
  else
    std::cout << "last commit: none\n";
  if (files.empty())
    std::cout << "working directory: clean\n";
  for (const auto& f : files)
    std::cout << "uncommitted: " << f.what << " " << f.name << "\n";
  for (const auto& t : targets(all, o.node, o.data_dir)) {
    auto r = control(t, "GET", "/control/status");
    if (!r) {
      std::cout << t.node << ": not running (" << r.err().message << ")\n";
      continue;
    }
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (r->status != 200 || j.is_discarded()) {
      std::cout << t.node << ": status failed (HTTP " << r->status << ")\n";
      continue;
    }
    auto fp = j.value("fingerprint", "");
    std::string which = "uncommitted or older configuration";
    if (last && fp == last->fingerprint)
      which = "commit " + std::to_string(last->id);
    std::cout << t.node << ": running " << which << " (fingerprint " << fp
              << "), " << (j.value("ready", false) ? "ready" : "not ready");
    auto pending = j.value("pending_restart", nlohmann::json::array());
    if (!pending.empty()) {
      std::cout << ", restart needed for:";
      for (const auto& k : pending)
        std::cout << " " << k.get<std::string>();
    }
    std::cout << "\n";
  }
}

void cmd_history(const options& o) {
  config::history h(o.config_dir);
  auto all = h.list();
  if (!all) {
    std::cerr << all.err().message << "\n";
    finish(exit_failed);
  }
  if (o.id == 0) {
    for (const auto& c : *all)
      std::cout << c.id << "  " << format_time(c.time_s) << "  " << c.user
                << "  " << c.message << "\n";
    return;
  }
  const config::commit_info* found = nullptr;
  const config::commit_info* parent = nullptr;
  for (const auto& c : *all) {
    if (c.id == o.id)
      found = &c;
    else if (c.id < o.id)
      parent = &c;
  }
  if (!found) {
    std::cerr << "no commit " << o.id << "\n";
    finish(exit_invalid);
  }
  std::cout << "commit " << found->id << "\n"
            << "date: " << format_time(found->time_s) << "\n"
            << "user: " << found->user << "\n"
            << "message: " << found->message << "\n";
  auto now = config::load_all(h.snapshot_dir(found->id));
  if (!now)
    return;
  if (!parent) {
    std::cout << "(first commit)\n";
    return;
  }
  for (const auto& cfg : *now)
    if (auto then = config::load(h.snapshot_dir(parent->id), cfg.node))
      print_changes(cfg.node, config::diff(*then, cfg));
}

} // namespace

void add_config_commands(CLI::App& app) {
  auto o = std::make_shared<options>();
  auto* cfg = app.add_subcommand("config", "Check, inspect, commit and apply "
                                           "the configuration (ngcpcfg)");
  cfg->require_subcommand(1);
  cfg->add_option("--config-dir", o->config_dir, "Configuration directory")
      ->capture_default_str();
  cfg->add_option("--node", o->node, "Only this host of network.yml");
  cfg->add_option("--data-dir", o->data_dir,
                  "Data directory of the node (where its control token is)");

  cfg->add_subcommand("check", "Validate every file for every node")
      ->callback([o] { cmd_check(*o); });
  auto* show = cfg->add_subcommand("show", "Effective value of a key");
  show->add_option("key", o->key, "Key or section, e.g. mgmt.port")->required();
  show->callback([o] { cmd_show(*o); });
  auto* build = cfg->add_subcommand("build", "Effective per-node config");
  build->add_option("-o,--output", o->output,
                    "Write <node>.yml files into this directory");
  build->callback([o] { cmd_build(*o); });
  cfg->add_subcommand("diff", "Changes since the last commit")->callback([o] {
    cmd_diff(*o);
  });
  auto* commit = cfg->add_subcommand("commit", "Record the current files");
  commit->add_option("-m,--message", o->message, "Commit message");
  commit->callback([o] { cmd_commit(*o); });
  auto* apply = cfg->add_subcommand(
      "apply", "Check, commit, and tell running nodes to reload");
  apply->add_option("-m,--message", o->message,
                    "Commit message (needed if files changed)");
  apply->callback([o] { cmd_apply(*o); });
  cfg->add_subcommand("status", "Uncommitted changes and what nodes run")
      ->callback([o] { cmd_status(*o); });
  cfg->add_subcommand("schema", "Every setting as a Markdown table "
                                "(docs/config.md)")
      ->callback([] { std::cout << config::schema_markdown(); });
  auto* hist = cfg->add_subcommand("history", "List commits, or show one");
  hist->add_option("id", o->id, "Commit to show");
  hist->callback([o] { cmd_history(*o); });
}

void add_node_commands(CLI::App& app) {
  auto o = std::make_shared<options>();
  auto level = std::make_shared<std::string>();
  auto* node = app.add_subcommand("node", "Inspect and steer running nodes");
  node->require_subcommand(1);
  node->add_option("--config-dir", o->config_dir, "Configuration directory")
      ->capture_default_str();
  node->add_option("--node", o->node, "Only this host of network.yml");
  node->add_option("--data-dir", o->data_dir,
                   "Data directory of the node (where its control token is)");
  node->add_subcommand("status", "What each node runs and whether it is ready")
      ->callback([o] {
        auto all = load_or_exit(*o);
        int rc = 0;
        for (const auto& t : targets(all, o->node, o->data_dir)) {
          auto r = control(t, "GET", "/control/status");
          if (!r) {
            std::cout << t.node << ": not running (" << r.err().message
                      << ")\n";
            rc = exit_failed;
            continue;
          }
          std::cout << t.node << ": " << r->body << "\n";
        }
        finish(rc);
      });
  node->add_subcommand("list", "The cluster's members as one node sees them: "
                               "roles, state, epochs, actor counts")
      ->callback([o] {
        auto all = load_or_exit(*o);
        for (const auto& t : targets(all, o->node, o->data_dir)) {
          auto r = control(t, "GET", "/control/cluster");
          if (!r || r->status != 200)
            continue; // not running, or not in cluster mode: ask the next
          auto j = nlohmann::json::parse(r->body, nullptr, false);
          if (j.is_discarded())
            continue;
          std::printf("view of %s: epoch %llu, fenced %llu time(s)\n",
                      j.value("self", "").c_str(),
                      static_cast<unsigned long long>(j.value("epoch", 0ULL)),
                      static_cast<unsigned long long>(j.value("fenced", 0ULL)));
          std::printf("%-8s %-8s %-20s %-6s %-7s %-10s %-9s %s\n", "NODE",
                      "STATE", "ROLES", "EPOCH", "ACTORS", "HEARTBEAT", "LEASE",
                      "INCARNATION");
          for (const auto& m : j.value("members", nlohmann::json::array())) {
            std::string roles;
            for (const auto& role : m.value("roles", nlohmann::json::array()))
              roles += (roles.empty() ? "" : ",") + role.get<std::string>();
            auto ms = [](int64_t v) {
              return v < 0 ? std::string{"-"} : std::to_string(v) + "ms";
            };
            std::printf(
                "%-8s %-8s %-20s %-6llu %-7llu %-10s %-9s %llu\n",
                (m.value("name", "") + (m.value("self", false) ? "*" : ""))
                    .c_str(),
                m.value("state", "").c_str(), roles.c_str(),
                static_cast<unsigned long long>(m.value("epoch", 0ULL)),
                static_cast<unsigned long long>(m.value("actors", 0ULL)),
                ms(m.value("heartbeat_age_ms", int64_t{-1})).c_str(),
                ms(m.value("lease_ms", int64_t{-1})).c_str(),
                static_cast<unsigned long long>(m.value("incarnation", 0ULL)));
          }
          std::fflush(stdout);
          finish(0);
        }
        std::cout << "no node in cluster mode answered\n";
        finish(exit_failed);
      });
  auto wait_s = std::make_shared<int>(3700);
  auto* drain = node->add_subcommand(
      "drain", "Move every actor off the node (--node), wait for its calls "
               "to end, and let it exit");
  drain->add_option("--wait-s", *wait_s, "How long to wait for the exit")
      ->capture_default_str();
  drain->callback([o, wait_s] {
    if (!o->node) {
      std::cout << "sbctl node drain: name the node with --node\n";
      finish(exit_invalid);
    }
    auto all = load_or_exit(*o);
    auto ts = targets(all, o->node, o->data_dir);
    if (ts.empty()) {
      std::cout << *o->node << ": not a host of network.yml\n";
      finish(exit_invalid);
    }
    const auto& t = ts.front();
    auto r = control(t, "POST", "/control/drain");
    if (!r || r->status != 202) {
      std::cout << t.node << ": drain failed ("
                << (r ? std::to_string(r->status) + " " + r->body
                      : r.err().message)
                << ")\n";
      finish(exit_failed);
    }
    std::cout << t.node << ": draining " << r->body << "\n" << std::flush;
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(*wait_s);
    while (std::chrono::steady_clock::now() < deadline) {
      auto alive = control(t, "GET", "/control/status");
      if (!alive) {
        std::cout << t.node << ": drained and stopped\n";
        finish(0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::cout << t.node << ": still running after " << *wait_s << " s\n";
    finish(exit_failed);
  });
  auto* ll = node->add_subcommand("log-level", "Change the log level now "
                                               "(until the next reload)");
  ll->add_option("level", *level, "trace debug info warn error critical off")
      ->required();
  ll->callback([o, level] {
    auto all = load_or_exit(*o);
    int rc = 0;
    for (const auto& t : targets(all, o->node, o->data_dir)) {
      auto r = control(t, "PUT", "/control/log-level",
                       nlohmann::json{{"level", *level}}.dump());
      if (!r || r->status != 200) {
        std::cout << t.node << ": failed (" << (r ? r->body : r.err().message)
                  << ")\n";
        rc = exit_failed;
        continue;
      }
      std::cout << t.node << ": log level " << *level << "\n";
    }
    finish(rc);
  });
}

} // namespace sb::sbctl
