#pragma once

// In-dialog requests for a call this node does not run yet. After a
// failover or a live migration the shared address, and with it the UAs'
// requests, reaches the new node a moment before that node has restored
// the calls from their snapshots (detection and restore take about a
// second after a SIGKILL, ~200 ms after a drain). A 481 in that gap ends
// the dialog at the UA (RFC 3261 §12.2.2: a re-INVITE's 481 tears the
// call down, a BYE's leaves the callee up). So the call manager parks
// such a request for a short while and hands it to its call once that
// call runs here, and answers 481 only then. Bounded in count and in
// time; pure (no clock, no CAF): the caller passes `now`.
#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <utility>

namespace sb::actors::call {

template <class Request>
class dialog_wait {
public:
  using time_point = std::chrono::steady_clock::time_point;

  dialog_wait(std::size_t capacity, std::chrono::milliseconds wait)
      : capacity_(capacity)
      , wait_(wait) {}

  /// Parks `rq` for the call `call_id` until `now + wait`; false when the
  /// room is full (the caller answers at once).
  bool park(std::string call_id, Request rq, time_point now) {
    if (parked_.size() >= capacity_)
      return false;
    parked_.push_back({std::move(call_id), std::move(rq), now + wait_});
    return true;
  }

  /// Hands every parked request whose call `known(call_id)` now runs to
  /// `deliver(request, call)`, gives up on those past their time with
  /// `expire(request)`, keeps the rest, in arrival order.
  template <class Known, class Deliver, class Expire>
  void sweep(time_point now, Known&& known, Deliver&& deliver,
             Expire&& expire) {
    std::deque<entry> keep;
    for (auto& e : parked_) {
      if (auto call = known(e.call_id))
        deliver(std::move(e.rq), *call);
      else if (now >= e.until)
        expire(std::move(e.rq));
      else
        keep.push_back(std::move(e));
    }
    parked_ = std::move(keep);
  }

  bool empty() const { return parked_.empty(); }
  std::size_t size() const { return parked_.size(); }

private:
  struct entry {
    std::string call_id;
    Request rq;
    time_point until;
  };
  std::size_t capacity_;
  std::chrono::milliseconds wait_;
  std::deque<entry> parked_;
};

} // namespace sb::actors::call
