#include "common/config/loader.hpp"

#include "common/config/problems.hpp"
#include "common/config/schema.hpp"
#include "common/fs.hpp"
#include "common/hash.hpp"

#include <algorithm>
#include <set>

namespace sb::config {

namespace {

namespace stdfs = std::filesystem;

// Parses one YAML file. A missing optional file yields a null node; a
// syntax error is a problem at the parser's line.
std::optional<YAML::Node> parse_file(const stdfs::path& path,
                                     const std::string& name, bool required,
                                     problems& errs) {
  std::error_code ec;
  if (!stdfs::exists(path, ec)) {
    if (required)
      errs.add(name, 0, "", "missing (" + path.string() + ")");
    return std::nullopt;
  }
  auto text = fs::read_file(path);
  if (!text) {
    errs.add(name, 0, "", text.err().message);
    return std::nullopt;
  }
  try {
    return YAML::Load(*text);
  } catch (const YAML::ParserException& e) {
    errs.add(name, e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    errs.add(name, 0, "", std::string("YAML error: ") + e.what());
  }
  return std::nullopt;
}

// Applies one settings file onto `out`, recording where each value came
// from. Unknown keys, wrong types, keys in the wrong file and duplicates
// are all reported; nothing stops at the first problem.
struct layer_walker {
  const std::string& file;
  bool constants_file;
  problems& errs;
  settings& out;
  std::map<std::string, source_location>& origin;
  std::set<std::string> seen;

  void walk(const YAML::Node& n, const std::string& prefix) {
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) {
        errs.add(file, kv.first, prefix, "keys must be plain names");
        continue;
      }
      auto path =
          prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      if (!seen.insert(path).second) {
        errs.add(file, kv.first, path, "duplicate key");
        continue;
      }
      const auto& v = kv.second;
      if (const auto* f = find_field(path)) {
        assign(*f, v, kv.first, path);
      } else if (is_section(path)) {
        if (v.IsMap())
          walk(v, path);
        else if (!v.IsNull())
          errs.add(file, v, path, "expected a mapping (this is a section)");
      } else {
        errs.add(file, kv.first, path, "unknown key");
      }
    }
  }

  void assign(const field& f, const YAML::Node& v, const YAML::Node& key,
              const std::string& path) {
    bool belongs = (f.home == home_file::constants) == constants_file;
    if (!belongs) {
      errs.add(file, key, path,
               "belongs in " + std::string(to_string(f.home)) +
                   ", not in this file");
      return;
    }
    if (auto problem = f.assign(v, out)) {
      errs.add(file, v, path, *problem);
      return;
    }
    origin[path] = source_location{file, v.Mark().line + 1};
  }
};

// Every config.<name>.yml must name a host; a typo would otherwise be
// silently ignored.
void check_override_names(const stdfs::path& dir, const network_config& net,
                          problems& errs) {
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    if (name.size() <= 11 || name.rfind("config.", 0) != 0 ||
        name.substr(name.size() - 4) != ".yml")
      continue;
    auto middle = name.substr(7, name.size() - 11);
    if (middle != "local" && !net.find(middle))
      errs.add(name, 0, "",
               "override file for \"" + middle +
                   "\", which is not a host in network.yml");
  }
}

result<network_config> load_network(const stdfs::path& dir, problems& errs) {
  auto doc = parse_file(dir / "network.yml", "network.yml", true, errs);
  if (!doc)
    return error{"network.yml unusable"};
  auto net = parse_network(*doc, "network.yml");
  if (!net)
    errs.add_lines(net.err());
  return net;
}

// network.yml, plus the check that every override file names a host.
result<network_config> load_checked_network(const stdfs::path& dir) {
  problems errs;
  auto net = load_network(dir, errs);
  if (net)
    check_override_names(dir, *net, errs);
  if (!errs.empty())
    return errs.to_error();
  return net;
}

// A problem with `key`, reported where it was set (or at the default's
// key when no file set it).
void report_at(const loaded_config& cfg, problems& errs, const std::string& key,
               const std::string& what) {
  auto it = cfg.origin.find(key);
  if (it != cfg.origin.end())
    errs.add(it->second.file, it->second.line, key, what);
  else
    errs.add("config.yml", 0, key, what);
}

// registrar.min_expires <= default_expires <= max_expires, reported at
// the key that breaks it (where it was set, or the default's key).
void check_expiry_order(const loaded_config& cfg, problems& errs) {
  const auto& r = cfg.values.registrar;
  auto report = [&](const std::string& key, const std::string& what) {
    report_at(cfg, errs, key, what);
  };
  if (r.default_expires < r.min_expires)
    report("registrar.default_expires",
           "must not be below registrar.min_expires (" +
               std::to_string(r.min_expires) + ")");
  if (r.default_expires > r.max_expires)
    report("registrar.default_expires",
           "must not exceed registrar.max_expires (" +
               std::to_string(r.max_expires) + ")");
}

// rtpproxy.minport even and below maxport: the relay hands out even/odd
// pairs from the range.
void check_port_range(const loaded_config& cfg, problems& errs) {
  const auto& r = cfg.values.rtpproxy;
  auto report = [&](const std::string& key, const std::string& what) {
    report_at(cfg, errs, key, what);
  };
  if (r.minport % 2 != 0)
    report("rtpproxy.minport", "must be even (RTP even, RTCP the next port)");
  if (r.maxport <= r.minport + 1)
    report("rtpproxy.maxport", "must leave at least one port pair above "
                               "rtpproxy.minport (" +
                                   std::to_string(r.minport) + ")");
}

result<loaded_config> load_node(const stdfs::path& dir,
                                const network_config& net,
                                const std::string& node) {
  problems errs;
  loaded_config cfg;
  cfg.dir = dir;
  cfg.node = node;
  cfg.network = net;
  for (const auto& name : layered_files(node)) {
    bool required = name == "config.yml" || name == "constants.yml";
    auto doc = parse_file(dir / name, name, required, errs);
    if (!doc)
      continue;
    cfg.files.push_back(name);
    if (doc->IsNull())
      continue;
    if (!doc->IsMap()) {
      errs.add(name, *doc, "", "expected a mapping of sections");
      continue;
    }
    layer_walker{name, name == "constants.yml", errs, cfg.values, cfg.origin,
                 {}}
        .walk(*doc, "");
  }
  check_expiry_order(cfg, errs);
  check_port_range(cfg, errs);
  if (!errs.empty())
    return errs.to_error();
  cfg.fingerprint = fingerprint_dir(dir);
  return cfg;
}

} // namespace

std::vector<std::string> layered_files(const std::string& node) {
  return {"config.yml", "config." + node + ".yml", "config.local.yml",
          "constants.yml"};
}

result<loaded_config> load(const std::filesystem::path& dir,
                           const std::optional<std::string>& node) {
  auto net = load_checked_network(dir);
  if (!net)
    return net.err();
  std::string name;
  if (node) {
    if (!net->find(*node)) {
      std::string known;
      for (const auto& h : net->hosts)
        known += (known.empty() ? "" : ", ") + h.name;
      return error{"network.yml: no host named \"" + *node +
                   "\" (hosts: " + known + ")"};
    }
    name = *node;
  } else if (net->hosts.size() == 1) {
    name = net->hosts.front().name;
  } else {
    return error{"network.yml describes " + std::to_string(net->hosts.size()) +
                 " hosts; choose one with --node"};
  }
  return load_node(dir, *net, name);
}

result<std::vector<loaded_config>> load_all(const std::filesystem::path& dir) {
  auto net = load_checked_network(dir);
  if (!net)
    return net.err();
  problems errs;
  std::vector<loaded_config> all;
  for (const auto& h : net->hosts) {
    auto cfg = load_node(dir, *net, h.name);
    if (cfg)
      all.push_back(std::move(*cfg));
    else
      errs.add_lines(cfg.err());
  }
  if (!errs.empty())
    return errs.to_error();
  return all;
}

std::filesystem::path resolve(const loaded_config& cfg,
                              const std::string& path) {
  stdfs::path p = path.empty() ? "." : path;
  if (p.is_relative())
    p = stdfs::absolute(cfg.dir / p);
  return p.lexically_normal();
}

std::string fingerprint_dir(const std::filesystem::path& dir) {
  std::vector<stdfs::path> files;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".yml")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  uint64_t h = fnv1a("");
  for (const auto& f : files) {
    h = fnv1a(f.filename().string(), h);
    h = fnv1a(std::string_view("\0", 1), h);
    if (auto text = fs::read_file(f))
      h = fnv1a(*text, h);
    h = fnv1a(std::string_view("\0", 1), h);
  }
  return to_hex(h);
}

} // namespace sb::config
