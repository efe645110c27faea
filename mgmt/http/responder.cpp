#include "mgmt/http/responder.hpp"

namespace sb::mgmt::http::detail {

responder::responder(std::shared_ptr<session_base> s,
                     std::shared_ptr<server_state> st)
    : session_(std::move(s))
    , state_(std::move(st))
    , work_(state_->ioc.get_executor()) {
  state_->in_flight.fetch_add(1);
}

responder::~responder() {
  if (done_.exchange(true))
    return;
  if (state_->unanswered)
    state_->unanswered->inc();
  complete(response::error(500, "handler did not respond"));
}

void responder::send(response r) {
  if (done_.exchange(true))
    return;
  complete(std::move(r));
  // A handler may keep `respond` after calling it; it must not keep the
  // connection or the io_context alive with it.
  session_.reset();
  work_.reset();
}

void responder::complete(response r) {
  state_->in_flight.fetch_sub(1);
  session_->post_response(std::move(r));
}

} // namespace sb::mgmt::http::detail
