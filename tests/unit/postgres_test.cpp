// The PostgreSQL connector's SQL text and binary readers, without a server (tests/postgres has the
// suite against a real one).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "connectors/postgres/big_endian.h"
#include "connectors/postgres/client.h"
#include "connectors/postgres/reader.h"

namespace sqlflow::connectors::postgres {
namespace {

TEST(PostgresSqlTest, TableNamesAreQuotedPartByPartKeepingTheirCase) {
  EXPECT_EQ(QuoteQualified("orders"), "\"orders\"");
  EXPECT_EQ(QuoteQualified("Sales.Orders"), "\"Sales\".\"Orders\"");
  EXPECT_EQ(QuoteQualified("\"My Schema\".t"), "\"My Schema\".t");  // quoted by the user: as written
}

TEST(PostgresSqlTest, SourceQueriesQuoteNamesAndTheWatermark) {
  EXPECT_EQ(SourceQueryFor({{"table", "orders"}}), "SELECT * FROM \"orders\"");
  EXPECT_EQ(SourceQueryFor({{"table", "Orders"}, {"schema", "odd\"schema"}}),
            "SELECT * FROM \"odd\"\"schema\".\"Orders\"");
  EXPECT_EQ(SourceQueryFor({{"query", "SELECT 1 AS x"}}), "SELECT 1 AS x");
  EXPECT_EQ(SourceQueryFor({{"table", "t"}, {"cursor_field", "Updated At"}, {"watermark", "it's"}}),
            "SELECT * FROM (SELECT * FROM \"t\") AS sqlflow_source WHERE \"Updated At\" > 'it''s'");
}

TEST(PostgresBinaryTest, IntegersAreReadBigEndian) {
  const char bytes[] = {'\x01', '\x02', '\x03', '\x04', '\x05', '\x06', '\x07', '\x08'};
  EXPECT_EQ(Read16(bytes), 0x0102u);
  EXPECT_EQ(Read32(bytes), 0x01020304u);
  EXPECT_EQ(Read64(bytes), 0x0102030405060708ull);
  const char high[] = {'\xff', '\xfe', '\x80', '\x00'};
  EXPECT_EQ(Read16(high), 0xfffeu);
  EXPECT_EQ(static_cast<int32_t>(Read32(high)), -98304);
}

}  // namespace
}  // namespace sqlflow::connectors::postgres
