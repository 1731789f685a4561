#include "server/connect_gate.hpp"

namespace igw::server {

awaitable<bool> ConnectGate::acquire(const std::string& origin, std::chrono::steady_clock::time_point deadline) {
  auto& o = origins_[origin];
  if (o.active < max_ && o.queue.empty()) {
    ++o.active;
    co_return true;
  }
  Timer timer{co_await asio::this_coro::executor, deadline};
  Waiter waiter{&timer};
  auto at = o.queue.insert(o.queue.end(), &waiter);
  // However this coroutine ends (granted, deadline, or destroyed while waiting), it leaves the queue.
  struct Unlink {
    Origin& o;
    std::list<Waiter*>::iterator at;
    Waiter& waiter;
    ~Unlink() {
      if (!waiter.granted) o.queue.erase(at);
    }
  } unlink{o, at, waiter};
  auto [ec] = co_await timer.async_wait(as_tuple_awaitable);
  (void)ec;
  co_return waiter.granted;  // a grant hands over the releaser's turn: `active` is unchanged
}

void ConnectGate::release(const std::string& origin) {
  auto& o = origins_[origin];
  if (!o.queue.empty()) {
    Waiter* next = o.queue.front();
    o.queue.pop_front();
    next->granted = true;
    next->timer->cancel();
    return;
  }
  if (o.active > 0) --o.active;
}

std::size_t ConnectGate::connecting(const std::string& origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? 0 : it->second.active;
}

std::size_t ConnectGate::waiting(const std::string& origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? 0 : it->second.queue.size();
}

}  // namespace igw::server
