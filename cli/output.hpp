// Output helpers shared by the commands: output formats and plain/markdown tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace igw::cli {

using Row = std::vector<std::string>;

// Columns padded to their widest cell; the last column is not padded.
std::string render_table(const Row& header, const std::vector<Row>& rows);
// A GitHub-flavoured markdown table; `|` in cells is escaped.
std::string render_markdown(const Row& header, const std::vector<Row>& rows);

std::string join(const std::vector<std::string>& items, std::string_view sep);

}  // namespace igw::cli
