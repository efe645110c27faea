#include "sip/edge/transaction_cache.hpp"

#include "common/text.hpp"

namespace sb::sip::edge {

std::string transaction_id(const sip_message& rq) {
  const via_hop* top = rq.via.empty() ? nullptr : &rq.via.front();
  std::string method = rq.method == "ACK" ? "INVITE" : rq.method;
  std::string sent_by;
  if (top) {
    sent_by = ascii_lower(top->host);
    sent_by += ':';
    sent_by += top->port ? std::to_string(*top->port) : "";
  }
  constexpr std::string_view cookie = "z9hG4bK";
  if (top && top->branch.compare(0, cookie.size(), cookie) == 0)
    return top->branch + '\n' + sent_by + '\n' + method;
  // RFC 2543 peers: §17.2.3's fallback match.
  return rq.request_uri + '\n' + rq.from.tag + '\n' + rq.to.tag + '\n' +
         rq.call_id + '\n' + std::to_string(rq.cseq) + '\n' + method + '\n' +
         sent_by + '\n' + (top ? top->branch : "");
}

transaction_cache::transaction_cache(std::chrono::milliseconds linger,
                                     std::size_t capacity)
    : linger_(linger)
    , capacity_(capacity == 0 ? 1 : capacity) {}

const transaction_entry* transaction_cache::find(const std::string& id,
                                                 steady_time now) const {
  auto it = entries_.find(id);
  if (it == entries_.end())
    return nullptr;
  if (it->second.answer && it->second.expires_at <= now)
    return nullptr;
  return &it->second;
}

void transaction_cache::begin(const std::string& id, uint64_t key,
                              steady_time now) {
  if (entries_.size() >= capacity_ && !entries_.count(id))
    evict_one();
  entries_[id] = transaction_entry{key, std::nullopt, now + linger_};
}

void transaction_cache::answer(const std::string& id, const sip_reply& r,
                               steady_time now) {
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    if (entries_.size() >= capacity_)
      evict_one();
    it = entries_.emplace(id, transaction_entry{}).first;
  }
  it->second.answer = r;
  it->second.expires_at = now + linger_;
  order_.emplace_back(it->second.expires_at, id);
}

void transaction_cache::erase(const std::string& id) {
  entries_.erase(id);
}

void transaction_cache::expire(steady_time now) {
  while (!order_.empty() && order_.front().first <= now) {
    auto it = entries_.find(order_.front().second);
    // Only an answered entry with this very expiry is due; a newer answer
    // or a pending re-use of the id has its own place in the queue.
    if (it != entries_.end() && it->second.answer &&
        it->second.expires_at == order_.front().first)
      entries_.erase(it);
    order_.pop_front();
  }
}

void transaction_cache::evict_one() {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front().second);
    bool live = it != entries_.end() && it->second.answer &&
                it->second.expires_at == order_.front().first;
    order_.pop_front();
    if (live) {
      entries_.erase(it);
      return;
    }
  }
  // Only pending entries: they are bounded by the reply guard, so the
  // table may exceed its capacity by the requests in flight.
}

} // namespace sb::sip::edge
