// The Asio vocabulary of the data plane: executor, coroutine, socket and timer types. No Beast here: the
// handlers, the exchange and the router compile against this (Beast stays in server/beast.hpp and the few
// .cpp files that parse or serialize HTTP).
#pragma once

#include <chrono>

#include <boost/asio.hpp>

namespace boost::asio::ssl {
class context;
}

namespace igw::server {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// The gateway's coroutines, sockets and timers all run on one worker's io_context: they name its concrete
// executor type instead of the type-erased any_io_executor (no virtual calls or work-count updates each
// time an operation copies its executor).
using Executor = asio::io_context::executor_type;
template <class T = void>
using awaitable = asio::awaitable<T, Executor>;
inline constexpr asio::use_awaitable_t<Executor> use_awaitable{};
inline constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable_t<Executor>{});
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Resolver = asio::ip::basic_resolver<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                         Executor>;

}  // namespace igw::server
