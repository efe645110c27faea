#include "common/config/diff.hpp"

namespace sb::config {

namespace {

std::string source_of(const loaded_config& cfg, const std::string& key) {
  auto it = cfg.origin.find(key);
  if (it == cfg.origin.end())
    return "default";
  return it->second.file + ":" + std::to_string(it->second.line);
}

std::string host_or_absent(const network_config& net, const std::string& n) {
  const auto* h = net.find(n);
  return h ? render_host(*h) : "(absent)";
}

} // namespace

std::vector<setting_change> diff(const loaded_config& before,
                                 const loaded_config& after) {
  std::vector<setting_change> out;
  for (const auto& f : schema()) {
    auto a = f.render(before.values);
    auto b = f.render(after.values);
    if (a != b)
      out.push_back({f.path, a, b, f.mode});
  }
  std::vector<std::string> names;
  for (const auto& h : before.network.hosts)
    names.push_back(h.name);
  for (const auto& h : after.network.hosts)
    if (!before.network.find(h.name))
      names.push_back(h.name);
  for (const auto& n : names) {
    auto a = host_or_absent(before.network, n);
    auto b = host_or_absent(after.network, n);
    if (a != b)
      out.push_back({"network.hosts." + n, a, b, apply_mode::restart});
  }
  return out;
}

reload_plan plan_reload(const loaded_config& running,
                        const loaded_config& fresh) {
  reload_plan plan{running.values, {}, {}};
  for (auto& change : diff(running, fresh)) {
    if (change.mode == apply_mode::restart) {
      plan.restart_required.push_back(std::move(change));
      continue;
    }
    // The rendered value is valid YAML for the same field, so assigning it
    // back cannot fail; it copies one field without a per-field accessor.
    const auto* f = find_field(change.key);
    [[maybe_unused]] auto problem =
        f->assign(YAML::Load(f->render(fresh.values)), plan.running);
    plan.applied.push_back(std::move(change));
  }
  return plan;
}

std::string render_effective(const loaded_config& cfg) {
  std::string out = "# effective configuration of node " + cfg.node +
                    " (fingerprint " + cfg.fingerprint + ")\n";
  std::string section;
  for (const auto& f : schema()) {
    auto dot = f.path.find('.');
    auto sec = f.path.substr(0, dot);
    if (sec != section) {
      section = sec;
      out += section + ":\n";
    }
    out += "  " + f.path.substr(dot + 1) + ": " + f.render(cfg.values) +
           "  # " + std::string(to_string(f.mode)) + ", " +
           source_of(cfg, f.path) + "\n";
  }
  out +=
      "# network.yml host " + cfg.node + ": " + render_host(cfg.host()) + "\n";
  return out;
}

result<std::string> show_key(const loaded_config& cfg, const std::string& key) {
  std::string out;
  for (const auto& f : schema()) {
    bool match = f.path == key || (f.path.size() > key.size() &&
                                   f.path.compare(0, key.size(), key) == 0 &&
                                   f.path[key.size()] == '.');
    if (match)
      out += f.path + ": " + f.render(cfg.values) + "  # " +
             std::string(to_string(f.mode)) + ", " + source_of(cfg, f.path) +
             "\n";
  }
  if (key.rfind("network", 0) == 0)
    for (const auto& h : cfg.network.hosts)
      if (key == "network" || key == "network.hosts" ||
          key == "network.hosts." + h.name)
        out += "network.hosts." + h.name + ": " + render_host(h) + "\n";
  if (out.empty())
    return error{"unknown key \"" + key + "\""};
  return out;
}

} // namespace sb::config
