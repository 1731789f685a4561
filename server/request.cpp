#include "server/request.hpp"

namespace igw::server {

std::string_view Request::operator[](FieldId id) const {
  for (const auto& f : fields_)
    if (f.id == id) return f.value;
  return {};
}

std::string_view Request::operator[](std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.name, name)) return f.value;
  return {};
}

}  // namespace igw::server
