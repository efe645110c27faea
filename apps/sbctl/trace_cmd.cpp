#include "apps/sbctl/trace_cmd.hpp"

#include "actors/call/call_trace.hpp"
#include "common/fs.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sb::sbctl {

namespace {

namespace call = actors::call;

[[noreturn]] void fail(int code, const std::string& msg) {
  std::fprintf(stderr, "sbctl trace: %s\n", msg.c_str());
  std::exit(code);
}

void cmd_replay(const std::string& file) {
  auto text = fs::read_file(file);
  if (!text)
    fail(2, file + ": " + text.err().message);
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded())
    fail(2, file + ": not JSON");
  auto t = call::trace_from_json(j);
  if (!t)
    fail(2, file + ": " + t.err().message);
  auto r = call::replay(*t);
  if (r.identical) {
    std::printf("identical: call %s, start and %zu steps\n",
                t->plan.cdr.call_id.c_str(), t->steps.size());
    return;
  }
  if (!r.step)
    std::printf("diverges at start\n");
  else
    std::printf("diverges at step %zu: %s\n", *r.step,
                call::event_to_json(t->steps[*r.step].event).dump().c_str());
  std::printf("  recorded: %s\n  this build: %s\n", r.expected.dump().c_str(),
              r.actual.dump().c_str());
  std::exit(1);
}

} // namespace

void add_trace_commands(CLI::App& app) {
  auto* trace = app.add_subcommand("trace", "Replay recorded actor traces");
  trace->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* replay = trace->add_subcommand(
      "replay", "Re-run a call trace (JSON) through this build's call core "
                "and report the first divergent effect");
  replay->add_option("file", *file, "The trace file")->required();
  replay->callback([file] { cmd_replay(*file); });
}

} // namespace sb::sbctl
