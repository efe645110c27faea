#include "common/config/network.hpp"

#include "common/config/problems.hpp"

#include <algorithm>
#include <set>

#include <arpa/inet.h>

namespace sb::config {

namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool valid_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Reads a list of strings; a single scalar counts as a list of one, as
// operators write `role: mgmt` as often as `role: [mgmt]`.
bool read_list(const YAML::Node& n, std::vector<std::string>& out) {
  out.clear();
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return true;
  }
  if (!n.IsSequence())
    return false;
  for (const auto& item : n) {
    if (!item.IsScalar())
      return false;
    out.push_back(item.Scalar());
  }
  return true;
}

struct host_reader {
  const std::string& file;
  problems& errs;

  void read_ips(const YAML::Node& n, const std::string& key,
                std::vector<std::string>& out) {
    if (!read_list(n, out)) {
      errs.add(file, n, key, "expected a list of IP addresses");
      return;
    }
    for (const auto& ip : out)
      if (!valid_ip(ip))
        errs.add(file, n, key, "\"" + ip + "\" is not an IP address");
  }

  interface_config read_interface(const std::string& name, const YAML::Node& n,
                                  const std::string& path) {
    interface_config itf;
    itf.name = name;
    if (!n.IsMap()) {
      errs.add(file, n, path, "expected a mapping with ip and type");
      return itf;
    }
    for (const auto& kv : n) {
      auto key = kv.first.Scalar();
      auto kpath = path + "." + key;
      const auto& v = kv.second;
      if (key == "ip") {
        if (!v.IsScalar() || !valid_ip(v.Scalar()))
          errs.add(file, v, kpath, "expected an IP address");
        else
          itf.ip = v.Scalar();
      } else if (key == "shared_ip") {
        read_ips(v, kpath, itf.shared_ip);
      } else if (key == "advertised_ip") {
        read_ips(v, kpath, itf.advertised_ip);
      } else if (key == "netmask" || key == "hwaddr") {
        if (!v.IsScalar())
          errs.add(file, v, kpath, "expected a string");
      } else if (key == "type") {
        if (!read_list(v, itf.types)) {
          errs.add(file, v, kpath, "expected a list of interface types");
          continue;
        }
        for (const auto& t : itf.types)
          if (!contains(known_interface_types(), t))
            errs.add(file, v, kpath, "unknown interface type \"" + t + "\"");
      } else {
        errs.add(file, kv.first, kpath, "unknown key");
      }
    }
    if (!n["ip"])
      errs.add(file, n, path + ".ip", "missing (every interface needs an ip)");
    return itf;
  }

  host_config read_host(const std::string& name, const YAML::Node& n) {
    host_config h;
    h.name = name;
    h.line = n.Mark().line + 1;
    auto path = "hosts." + name;
    if (!n.IsMap()) {
      errs.add(file, n, path, "expected a mapping");
      return h;
    }
    std::vector<std::string> itf_names;
    if (auto itfs = n["interfaces"]; itfs) {
      if (!read_list(itfs, itf_names))
        errs.add(file, itfs, path + ".interfaces",
                 "expected a list of interface names");
    } else {
      errs.add(file, n, path + ".interfaces", "missing");
    }
    for (const auto& kv : n) {
      auto key = kv.first.Scalar();
      auto kpath = path + "." + key;
      const auto& v = kv.second;
      if (key == "interfaces") {
        continue;
      } else if (key == "role") {
        if (!read_list(v, h.roles)) {
          errs.add(file, v, kpath, "expected a list of roles");
          continue;
        }
        for (const auto& r : h.roles)
          if (!contains(known_roles(), r))
            errs.add(file, v, kpath,
                     "unknown role \"" + r + "\" (known: lb, proxy, db, mgmt)");
      } else if (key == "peer") {
        if (!v.IsScalar())
          errs.add(file, v, kpath, "expected a host name");
        else
          h.peer = v.Scalar();
      } else if (key == "status") {
        static const std::vector<std::string> states{"online", "offline",
                                                     "inactive"};
        if (!v.IsScalar() || !contains(states, v.Scalar()))
          errs.add(file, v, kpath,
                   "expected one of: online, offline, inactive");
        else
          h.status = v.Scalar();
      } else if (contains(itf_names, key)) {
        h.interfaces.push_back(read_interface(key, v, kpath));
      } else {
        errs.add(file, kv.first, kpath,
                 "unknown key (an interface must also be listed in "
                 "interfaces)");
      }
    }
    for (const auto& i : itf_names)
      if (std::none_of(h.interfaces.begin(), h.interfaces.end(),
                       [&](const auto& x) { return x.name == i; }))
        errs.add(file, n, path + "." + i,
                 "listed in interfaces but not described");
    if (!n["role"])
      errs.add(file, n, path + ".role", "missing (a host needs a role)");
    if (h.has_role("mgmt") && !h.interface_of_type("api_int"))
      errs.add(file, n, path,
               "has role mgmt but no interface of type api_int to serve the "
               "management API on");
    if (h.has_role("lb") && !h.interface_of_type("sip_ext"))
      errs.add(file, n, path,
               "has role lb but no interface of type sip_ext for SIP");
    if (h.has_role("lb") && !h.interface_of_type("rtp_ext"))
      errs.add(file, n, path,
               "has role lb but no interface of type rtp_ext for media");
    return h;
  }
};

// Letters, digits, '-' and '_', starting with a letter or digit: a host
// name is also a file name part (config.<host>.yml) and a metrics label.
bool valid_host_name(const std::string& s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  };
  if (s.empty() || s.size() > 63 || !alnum(s[0]))
    return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_')
      return false;
  return true;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : ",") + x;
  return s;
}

} // namespace

bool interface_config::has_type(std::string_view t) const {
  return contains(types, t);
}

bool host_config::has_role(std::string_view r) const {
  return contains(roles, r);
}

const interface_config*
host_config::interface_of_type(std::string_view type) const {
  for (const auto& i : interfaces)
    if (i.has_type(type))
      return &i;
  return nullptr;
}

const host_config* network_config::find(std::string_view name) const {
  for (const auto& h : hosts)
    if (h.name == name)
      return &h;
  return nullptr;
}

std::vector<const host_config*>
network_config::with_address(std::string_view ip, std::string_view role,
                             std::string_view type) const {
  std::vector<const host_config*> out;
  for (const auto& h : hosts) {
    if (!h.has_role(role))
      continue;
    for (const auto& i : h.interfaces) {
      bool has = i.ip == ip || std::find(i.shared_ip.begin(), i.shared_ip.end(),
                                         ip) != i.shared_ip.end();
      if (has && i.has_type(type)) {
        out.push_back(&h);
        break;
      }
    }
  }
  return out;
}

const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> v{"lb", "proxy", "db", "mgmt"};
  return v;
}

const std::vector<std::string>& known_interface_types() {
  static const std::vector<std::string> v{
      "sip_ext", "sip_int", "rtp_ext", "rtp_int", "web_ext", "web_int",
      "api_int", "ha_int",  "ssh_ext", "mon_ext", "aux_ext"};
  return v;
}

result<network_config> parse_network(const YAML::Node& doc,
                                     const std::string& file) {
  problems errs;
  network_config net;
  if (!doc.IsMap()) {
    errs.add(file, doc, "", "expected a mapping with a hosts section");
    return errs.to_error();
  }
  for (const auto& kv : doc) {
    auto key = kv.first.Scalar();
    if (key != "hosts") {
      errs.add(file, kv.first, key, "unknown key");
      continue;
    }
    if (!kv.second.IsMap() || kv.second.size() == 0) {
      errs.add(file, kv.second, "hosts",
               "expected a mapping of one or more hosts");
      continue;
    }
    host_reader reader{file, errs};
    for (const auto& h : kv.second) {
      auto name = h.first.Scalar();
      if (!valid_host_name(name)) {
        errs.add(file, h.first, "hosts." + name,
                 "invalid host name (letters, digits, - and _)");
        continue;
      }
      net.hosts.push_back(reader.read_host(name, h.second));
    }
  }
  if (net.hosts.empty() && errs.empty())
    errs.add(file, doc, "hosts", "missing");
  for (const auto& h : net.hosts)
    if (!h.peer.empty() && (h.peer == h.name || !net.find(h.peer)))
      errs.add(file, h.line, "hosts." + h.name + ".peer",
               "\"" + h.peer + "\" is not another host of this file");
  if (!errs.empty())
    return errs.to_error();
  return net;
}

std::string render_host(const host_config& h) {
  std::string s = "role=[" + join(h.roles) + "] status=" + h.status;
  if (!h.peer.empty())
    s += " peer=" + h.peer;
  for (const auto& i : h.interfaces) {
    s += " " + i.name + "={ip=" + i.ip + " type=[" + join(i.types) + "]";
    if (!i.shared_ip.empty())
      s += " shared_ip=[" + join(i.shared_ip) + "]";
    if (!i.advertised_ip.empty())
      s += " advertised_ip=[" + join(i.advertised_ip) + "]";
    s += "}";
  }
  return s;
}

} // namespace sb::config
