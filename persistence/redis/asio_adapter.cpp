#include "persistence/redis/asio_adapter.hpp"

#include <memory>

#include <hiredis/async.h>

namespace sb::persistence::detail {

namespace {

namespace asio = boost::asio;
using descriptor = asio::posix::stream_descriptor;

// One per context. Pending waits hold a shared_ptr to it; `self_` keeps it
// alive between waits until hiredis calls cleanup.
class adapter : public std::enable_shared_from_this<adapter> {
public:
  adapter(asio::io_context& io, redisAsyncContext* ac)
      : sd_(io, ac->c.fd)
      , ac_(ac) {}

  void install() {
    self_ = shared_from_this();
    ac_->ev.data = this;
    ac_->ev.addRead = [](void* p) {
      static_cast<adapter*>(p)->want(&adapter::read_);
    };
    ac_->ev.delRead = [](void* p) {
      static_cast<adapter*>(p)->read_.want = false;
    };
    ac_->ev.addWrite = [](void* p) {
      static_cast<adapter*>(p)->want(&adapter::write_);
    };
    ac_->ev.delWrite = [](void* p) {
      static_cast<adapter*>(p)->write_.want = false;
    };
    ac_->ev.cleanup = [](void* p) { static_cast<adapter*>(p)->cleanup(); };
  }

private:
  struct direction {
    bool want = false;  // hiredis asked for events
    bool armed = false; // an async_wait is pending
  };

  void want(direction adapter::*d) {
    (this->*d).want = true;
    arm(d);
  }

  void arm(direction adapter::*d) {
    auto& dir = this->*d;
    if (dir.armed || ac_ == nullptr)
      return;
    dir.armed = true;
    bool reading = d == &adapter::read_;
    sd_.async_wait(reading ? descriptor::wait_read : descriptor::wait_write,
                   [self = shared_from_this(), d,
                    reading](const boost::system::error_code& ec) {
                     auto& dir = (*self).*d;
                     dir.armed = false;
                     if (ec || self->ac_ == nullptr || !dir.want)
                       return;
                     // May disconnect and run cleanup(), which clears ac_.
                     if (reading)
                       redisAsyncHandleRead(self->ac_);
                     else
                       redisAsyncHandleWrite(self->ac_);
                     if (self->ac_ != nullptr && dir.want)
                       self->arm(d);
                   });
  }

  void cleanup() {
    read_.want = write_.want = false;
    ac_->ev.data = nullptr;
    ac_ = nullptr;
    // Cancels the pending waits; hiredis closes the fd right after this.
    boost::system::error_code ignored;
    sd_.cancel(ignored);
    (void)sd_.release();
    self_.reset(); // may destroy *this once the waits have completed
  }

  descriptor sd_;
  redisAsyncContext* ac_;
  direction read_;
  direction write_;
  std::shared_ptr<adapter> self_;
};

} // namespace

status attach_asio(redisAsyncContext* ac, asio::io_context& io) {
  try {
    std::make_shared<adapter>(io, ac)->install();
  } catch (const std::exception& e) {
    // stream_descriptor registers the fd with epoll and throws on failure.
    return error{std::string("cannot watch the redis socket: ") + e.what()};
  }
  return {};
}

} // namespace sb::persistence::detail
