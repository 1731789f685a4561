#include "server/request.hpp"

namespace igw::server {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x - 'A' < 26u) x += 32;
    if (y - 'A' < 26u) y += 32;
    if (x != y) return false;
  }
  return true;
}

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
