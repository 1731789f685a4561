// Maps a request to its route: the template (a metrics label), the request type and the handler.
#pragma once

#include <string_view>

#include "server/exchange.hpp"

namespace igw::server {

enum class Route { health, models, chat, proxy, messages, responses, mcp_tools, not_found };

// Pure: the route for a method and path (query already removed).
Route match_route(Method method, std::string_view path);
std::string_view route_template(Route route);
std::string_view route_request_type(Route route);

// Sets the route on the context and runs its handler.
awaitable<void> dispatch(Exchange& ex);

}  // namespace igw::server
