#include "apps/sbctl/trace_cmd.hpp"

#include "actors/call/call_trace.hpp"
#include "actors/subscriber/subscriber_trace.hpp"
#include "apps/sbctl/targets.hpp"
#include "common/fs.hpp"

#include <iostream>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sb::sbctl {

namespace {

namespace call = actors::call;
namespace sub = actors::subscriber;

[[noreturn]] void fail(int code, const std::string& msg) {
  std::fprintf(stderr, "sbctl trace: %s\n", msg.c_str());
  std::exit(code);
}

// Prints where replay `r` of a trace first diverged, and exits 1.
[[noreturn]] void diverged(const actors::replay_result& r,
                           const nlohmann::json& event) {
  if (!r.step)
    std::printf("diverges at start\n");
  else
    std::printf("diverges at step %zu: %s\n", *r.step, event.dump().c_str());
  std::printf("  recorded: %s\n  this build: %s\n", r.expected.dump().c_str(),
              r.actual.dump().c_str());
  std::exit(1);
}

void replay_subscriber(const std::string& file, const nlohmann::json& j) {
  auto t = sub::trace_from_json(j);
  if (!t)
    fail(2, file + ": " + t.err().message);
  auto r = sub::replay(*t);
  if (!r.identical)
    diverged(r, sub::event_to_json(t->steps[*r.step].event));
  std::printf("identical: subscriber %s, %zu steps\n", t->initial.aor.c_str(),
              t->steps.size());
}

void cmd_replay(const std::string& file) {
  auto text = fs::read_file(file);
  if (!text)
    fail(2, file + ": " + text.err().message);
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded())
    fail(2, file + ": not JSON");
  if (sub::is_subscriber_trace(j)) {
    replay_subscriber(file, j);
    return;
  }
  auto t = call::trace_from_json(j);
  if (!t)
    fail(2, file + ": " + t.err().message);
  auto r = call::replay(*t);
  if (r.identical) {
    std::printf("identical: call %s, %s and %zu steps\n",
                t->plan.cdr.call_id.c_str(), t->restored ? "restored" : "start",
                t->steps.size());
    return;
  }
  diverged(r, r.step ? call::event_to_json(t->steps[*r.step].event)
                     : nlohmann::json());
}

struct node_options {
  std::string config_dir = "conf";
  std::optional<std::string> node;
  std::optional<std::string> data_dir;
  std::string kind = "call";
  std::string key;
  double rate = 1.0;
  uint64_t id = 0;
  std::string output;
};

// Sends one control request to every target; prints per node; exit 1 if
// any failed.
void each_node(const node_options& o, const std::string& method,
               const std::string& path, const std::string& body,
               const std::function<void(const node_target&,
                                        const nlohmann::json&)>& show) {
  auto all = load_configs_or_exit(o.config_dir, o.node);
  int rc = 0;
  for (const auto& t : targets(all, o.node, o.data_dir)) {
    auto r = control(t, method, path, body);
    if (!r || r->status != 200) {
      std::cout << t.node << ": failed (" << (r ? r->body : r.err().message)
                << ")\n";
      rc = 1;
      continue;
    }
    show(t, nlohmann::json::parse(r->body, nullptr, false));
  }
  std::cout.flush();
  if (rc)
    std::exit(rc);
}

void add_node_options(CLI::App* c, node_options& o) {
  c->add_option("--config-dir", o.config_dir, "Configuration directory")
      ->capture_default_str();
  c->add_option("--node", o.node, "Only this host of network.yml");
  c->add_option("--data-dir", o.data_dir,
                "Data directory of the node (where its control token is)");
}

} // namespace

void add_trace_commands(CLI::App& app) {
  auto* trace = app.add_subcommand(
      "trace", "Record actor traces on the nodes, list, dump and replay them");
  trace->require_subcommand(1);
  auto o = std::make_shared<node_options>();

  auto* start = trace->add_subcommand(
      "start", "Record the traces of new call or subscriber actors (all, "
               "one key, or a sample)");
  add_node_options(start, *o);
  start->add_option("--kind", o->kind, "Which actors: call or subscriber")
      ->check(CLI::IsMember({"call", "subscriber"}))
      ->capture_default_str();
  start->add_option("--key", o->key,
                    "Only this one: a Call-ID, or an AoR (sip:user@domain)");
  start->add_option("--rate", o->rate, "Share of actors recorded, (0, 1]")
      ->capture_default_str();
  start->callback([o] {
    nlohmann::json body{{"kind", o->kind}, {"key", o->key}, {"rate", o->rate}};
    each_node(*o, "PUT", "/control/trace", body.dump(),
              [](const node_target& t, const nlohmann::json& j) {
                std::cout << t.node << ": recording " << j.dump() << "\n";
              });
  });
  auto* stop = trace->add_subcommand("stop", "Stop recording");
  add_node_options(stop, *o);
  stop->callback([o] {
    each_node(*o, "DELETE", "/control/trace", "",
              [](const node_target& t, const nlohmann::json&) {
                std::cout << t.node << ": not recording\n";
              });
  });
  auto* list = trace->add_subcommand("list", "The traces each node keeps");
  add_node_options(list, *o);
  list->callback([o] {
    each_node(*o, "GET", "/control/traces", "",
              [](const node_target& t, const nlohmann::json& j) {
                std::cout << t.node << ": recording "
                          << j.value("recording", nlohmann::json()).dump()
                          << "\n";
                for (const auto& e : j.value("traces", nlohmann::json::array()))
                  std::cout << "  " << e.value("id", 0) << "  "
                            << e.value("kind", "") << "  " << e.value("key", "")
                            << "  steps=" << e.value("steps", 0) << "\n";
              });
  });
  auto* dump = trace->add_subcommand("dump", "Write one trace as JSON");
  add_node_options(dump, *o);
  dump->add_option("id", o->id, "The trace's id (sbctl trace list)")
      ->required();
  dump->add_option("-o,--output", o->output, "File to write (default: stdout)");
  dump->callback([o] {
    each_node(
        *o, "GET", "/control/traces/" + std::to_string(o->id), "",
        [o](const node_target&, const nlohmann::json& j) {
          if (o->output.empty()) {
            std::cout << j.dump(2) << "\n";
            return;
          }
          if (auto st = fs::write_file_durably(o->output, j.dump(2), 0644); !st)
            fail(1, o->output + ": " + st.err().message);
        });
  });

  auto file = std::make_shared<std::string>();
  auto* replay = trace->add_subcommand(
      "replay",
      "Re-run a call or subscriber trace (JSON) through this build's core "
      "and report the first divergent effect");
  replay->add_option("file", *file, "The trace file")->required();
  replay->callback([file] { cmd_replay(*file); });
}

} // namespace sb::sbctl
