#pragma once

#include "common/asio.hpp"
#include "common/result.hpp"

struct redisAsyncContext;

namespace sb::persistence::detail {

/// Drives a hiredis 0.14 async context from `io` through its five `ev`
/// hooks (0.14 ships no Asio adapter). Call on the io thread, right after
/// redisAsyncConnect and before setting the connect callback (which arms
/// the first write wait). From then on `ac` must only be touched on the io
/// thread. The adapter lives until hiredis calls its cleanup hook (when the
/// context is freed); it releases the fd there without closing it, because
/// hiredis closes it itself.
status attach_asio(redisAsyncContext* ac, boost::asio::io_context& io);

} // namespace sb::persistence::detail
