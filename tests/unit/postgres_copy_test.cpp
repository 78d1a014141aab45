// The PostgreSQL binary COPY decoder (connectors/postgres/reader.cpp and types.cpp) without a
// server: streams written here, decoded into an in-memory DuckDB. Malformed or hostile streams
// (read in the decoder while writing tests/fuzz/pg_copy_fuzzer.cpp, which then found the first on
// its seeds) must fail with std::runtime_error.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/postgres/reader.h"
#include "connectors/postgres/types.h"
#include "engine/duckdb.h"
#include "engine/sql.h"

namespace sqlflow::connectors::postgres {
namespace {

std::string Big16(uint16_t value) {
  return {static_cast<char>(value >> 8), static_cast<char>(value)};
}
std::string Big32(uint32_t value) {
  return Big16(static_cast<uint16_t>(value >> 16)) + Big16(static_cast<uint16_t>(value));
}
std::string Big64(uint64_t value) {
  return Big32(static_cast<uint32_t>(value >> 32)) + Big32(static_cast<uint32_t>(value));
}

// A binary COPY stream of one-field tuples: the header, each value (nullopt for NULL), the trailer.
std::string Stream(const std::vector<std::optional<std::string>>& values) {
  std::string stream("PGCOPY\n\377\r\n\0", 11);
  stream += Big32(0) + Big32(0);  // flags, header extension length
  for (const auto& value : values) {
    stream += Big16(1);
    stream += value ? Big32(static_cast<uint32_t>(value->size())) + *value : Big32(0xFFFFFFFF);
  }
  return stream + Big16(0xFFFF);
}

// numeric's binary form: ndigits, weight, sign, dscale, then the base-10000 digits.
std::string Numeric(int16_t weight, uint16_t sign, const std::vector<uint16_t>& digits, uint16_t ndigits) {
  std::string value = Big16(ndigits) + Big16(static_cast<uint16_t>(weight)) + Big16(sign) + Big16(0);
  for (uint16_t digit : digits) value += Big16(digit);
  return value;
}
std::string Numeric(int16_t weight, uint16_t sign, const std::vector<uint16_t>& digits) {
  return Numeric(weight, sign, digits, static_cast<uint16_t>(digits.size()));
}

class PostgresCopyTest : public ::testing::Test {
 protected:
  PostgresCopyTest() : database_(engine::Database::Open({})), connection_(database_) {}

  // Decodes `stream` as one column of PostgreSQL type `oid` (typmod `typmod`) into a new table;
  // the values as DuckDB prints them.
  std::vector<std::optional<std::string>> Decode(uint32_t oid, const std::string& stream, int typmod = -1) {
    bool supported = false;
    std::vector<ColumnMapping> columns = {MapColumn("c", oid, typmod, "type", supported)};
    EXPECT_TRUE(supported);
    connection_.Query("CREATE OR REPLACE TABLE t (c " + columns[0].duckdb_type + ")");
    engine::ChunkAppender appender(connection_, "", "", "t");
    DecodeBinaryCopy(columns, {stream}, appender);
    appender.Close();
    engine::Result result = connection_.Query("SELECT c::VARCHAR FROM t");
    std::vector<std::optional<std::string>> values;
    for (size_t row = 0; row < result.row_count(); ++row) values.push_back(result.Value(0, row));
    return values;
  }

  // The message of the error that decoding `stream` ends in; "" when it decodes.
  std::string ErrorOf(uint32_t oid, const std::string& stream, int typmod = -1) {
    try {
      Decode(oid, stream, typmod);
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return "";
  }

  engine::Database database_;
  engine::Connection connection_;
};

constexpr int kNumeric_10_2 = (10 << 16 | 2) + 4;
constexpr int kNumeric_38_0 = (38 << 16) + 4;

TEST_F(PostgresCopyTest, DecodesValuesAndNulls) {
  EXPECT_EQ(Decode(23, Stream({Big32(42), std::nullopt, Big32(static_cast<uint32_t>(-7))})),
            (std::vector<std::optional<std::string>>{"42", std::nullopt, "-7"}));
  EXPECT_EQ(Decode(1700, Stream({Numeric(0, 0x4000, {12, 3400})}), kNumeric_10_2),
            (std::vector<std::optional<std::string>>{"-12.34"}));
  EXPECT_EQ(Decode(25, Stream({std::string("h\xc3\xa9llo")})),
            (std::vector<std::optional<std::string>>{"h\xc3\xa9llo"}));
  EXPECT_EQ(Decode(1007, Stream({Big32(1) + Big32(1) + Big32(23) + Big32(2) + Big32(1) + Big32(4) + Big32(5) +
                                 Big32(0xFFFFFFFF)})),
            (std::vector<std::optional<std::string>>{"[5, NULL]"}));
}

// An error message that says `expected`.
::testing::AssertionResult Says(const std::string& message, const std::string& expected) {
  if (!message.empty() && message.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the error '" << message << "' does not say '" << expected << "'";
}

// Fuzzing's first find (seeds/pg_copy/sql_ascii_latin1.bin): a SQL_ASCII database sends its bytes
// as they are, and DuckDB must never hold a VARCHAR that is not UTF-8.
TEST_F(PostgresCopyTest, TextThatIsNotUtf8IsAnError) {
  EXPECT_TRUE(Says(ErrorOf(25, Stream({std::string("caf\xe9")})), "not UTF-8"));
  EXPECT_TRUE(
      Says(ErrorOf(3802, Stream({std::string("\x01\"\xed\xa0\x80\"")})), "not UTF-8"));  // a surrogate
  EXPECT_TRUE(
      Says(ErrorOf(1009, Stream({Big32(1) + Big32(0) + Big32(25) + Big32(1) + Big32(1) + Big32(1) + "\xff"})),
           "not UTF-8"));
  EXPECT_EQ(Decode(17, Stream({std::string("caf\xe9")})).size(), 1u);  // bytea holds any bytes
}

// ndigits said more digits than the value had: they were read past its end.
TEST_F(PostgresCopyTest, NumericWithMoreDigitsThanBytesIsAnError) {
  EXPECT_TRUE(Says(ErrorOf(1700, Stream({Numeric(0, 0, {1}, 100)})), "malformed numeric"));
  EXPECT_TRUE(Says(ErrorOf(1700, Stream({Numeric(0, 0, {1}, 100)}), kNumeric_10_2), "malformed numeric"));
  EXPECT_TRUE(Says(ErrorOf(1700, Stream({Numeric(0, 0, {10000})})), "malformed numeric"));   // not base 10000
  EXPECT_TRUE(Says(ErrorOf(1700, Stream({Numeric(0, 0x1234, {1})})), "malformed numeric"));  // no such sign
}

// A large weight multiplied the digit past 128 bits (signed overflow) and stored a wrong value.
TEST_F(PostgresCopyTest, NumericTooLargeForItsDecimalIsAnError) {
  EXPECT_TRUE(
      Says(ErrorOf(1700, Stream({Numeric(9, 0, {9999})}), kNumeric_38_0), "does not fit DECIMAL(38,0)"));
  EXPECT_TRUE(Says(ErrorOf(1700, Stream({Numeric(32767, 0, {1})}), kNumeric_38_0), "does not fit"));
  EXPECT_TRUE(
      Says(ErrorOf(1700, Stream({Numeric(2, 0, {1, 0, 0})}), kNumeric_10_2), "does not fit DECIMAL(10,2)"));
  // The largest values that fit still do.
  EXPECT_EQ(Decode(1700, Stream({Numeric(1, 0x4000, {9999, 9999, 9900})}), kNumeric_10_2),
            (std::vector<std::optional<std::string>>{"-99999999.99"}));
  EXPECT_EQ(Decode(1700, Stream({Numeric(9, 0, {99, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999})}),
                   kNumeric_38_0),
            (std::vector<std::optional<std::string>>{std::string(38, '9')}));
}

// PostgreSQL 14's numeric infinities read as 0 before.
TEST_F(PostgresCopyTest, NumericInfinities) {
  EXPECT_EQ(Decode(1700, Stream({Numeric(0, 0xD000, {}), Numeric(0, 0xF000, {}), Numeric(0, 0xC000, {})})),
            (std::vector<std::optional<std::string>>{"inf", "-inf", "nan"}));
  EXPECT_TRUE(Says(ErrorOf(1700, Stream({Numeric(0, 0xD000, {})}), kNumeric_10_2), "Infinity does not fit"));
}

// days + the epoch shift, and micros + the epoch shift, overflowed (signed overflow): PostgreSQL's
// last timestamps (years 294247 to 294276) are past DuckDB's.
TEST_F(PostgresCopyTest, DatesTimesAndTimestampsOutsideDuckDBAreErrors) {
  EXPECT_TRUE(Says(ErrorOf(1082, Stream({Big32(0x7FFFFFFE)})), "outside what DATE holds"));
  EXPECT_TRUE(Says(ErrorOf(1114, Stream({Big64(9223367961599999999ull)})), "outside what TIMESTAMP holds"));
  EXPECT_TRUE(Says(ErrorOf(1184, Stream({Big64(0x7FFFFFFFFFFFFFFEull)})), "outside what"));
  EXPECT_TRUE(Says(ErrorOf(1083, Stream({Big64(static_cast<uint64_t>(-1))})), "outside what TIME holds"));
  EXPECT_EQ(Decode(1082, Stream({Big32(0x7FFFFFFF), Big32(0)})),
            (std::vector<std::optional<std::string>>{"infinity", "2000-01-01"}));
  EXPECT_EQ(Decode(1083, Stream({Big64(86400000000ull)})),
            (std::vector<std::optional<std::string>>{"24:00:00"}));
}

// A negative dimension count moved the cursor before the value; a count larger than the data
// reserved that many list entries; one dimension in 12 bytes read its size past the end.
TEST_F(PostgresCopyTest, MalformedArraysAreErrors) {
  std::string header = Big32(0) + Big32(23);  // has-null flag, element oid
  EXPECT_TRUE(Says(ErrorOf(1007, Stream({Big32(static_cast<uint32_t>(-2)) + header + std::string(16, '\0')})),
                   "malformed array"));
  EXPECT_TRUE(
      Says(ErrorOf(1007, Stream({Big32(1) + header + Big32(0x7FFFFFFF) + Big32(1)})), "malformed array"));
  EXPECT_TRUE(Says(ErrorOf(1007, Stream({Big32(1) + header})), "malformed array"));
  EXPECT_TRUE(Says(ErrorOf(1007, Stream({Big32(1) + header + Big32(1) + Big32(1) + Big32(8) + Big32(1)})),
                   "truncated array"));
}

}  // namespace
}  // namespace sqlflow::connectors::postgres
