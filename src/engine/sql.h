#pragma once
// The one place that turns names and values into SQL text. Every identifier in generated SQL goes
// through QuoteIdentifier, every literal through QuoteLiteral.

#include <string>
#include <string_view>
#include <vector>

namespace sqlflow::engine {

// "name" with embedded quotes doubled; always quoted so case, spaces and reserved words survive.
std::string QuoteIdentifier(std::string_view name);
// A table name as the user wrote it in a directive (`t`, `s.t`, `"My Table"`), quoted part by part.
std::string QuoteTableName(std::string_view name);
// The parts of a table name as written (`s.t`, `"My Schema"."T"`), quotes removed.
std::vector<std::string> SplitTableName(std::string_view name);
// A table name as written, for messages: quotes removed (`"Order Details"` -> Order Details).
std::string DisplayTableName(std::string_view name);
// 'text' with embedded quotes doubled.
std::string QuoteLiteral(std::string_view text);

}  // namespace sqlflow::engine
