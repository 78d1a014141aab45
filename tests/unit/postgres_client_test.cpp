// PostgreSQL failures: transience by SQLSTATE, never by message text (the real-server cases are in
// tests/postgres/run_tests.sh).

#include <gtest/gtest.h>

#include "connectors/postgres/client.h"

namespace sqlflow::connectors::postgres {
namespace {

TEST(PostgresErrors, TransientSqlStates) {
  for (const char* state : {"08000", "08001", "08003", "08004", "08006", "08P01", "40001", "40P01", "57P01",
                            "57P02", "57P03", "53300"}) {
    EXPECT_TRUE(IsTransientSqlState(state)) << state;
  }
}

TEST(PostgresErrors, PermanentSqlStates) {
  for (const char* state : {"23505",  // unique_violation
                            "23502",  // not_null_violation
                            "42P01",  // undefined_table
                            "42601",  // syntax_error
                            "28P01",  // invalid_password
                            "3D000",  // invalid_catalog_name (unknown database)
                            "22P02",  // invalid_text_representation
                            "40002",  // integrity constraint violation in a commit: not a retry
                            "53100",  // disk_full
                            "57014",  // query_canceled (by the user)
                            "XX000", "", "08", "080000"}) {
    EXPECT_FALSE(IsTransientSqlState(state)) << state;
  }
}

TEST(PostgresErrors, ExplanationKeepsTheWordsAndAddsACause) {
  std::string explained =
      ExplainError("FATAL:  password authentication failed for user \"postgres\"\n", "db:5432/shop");
  EXPECT_EQ(explained,
            "PostgreSQL (db:5432/shop): password authentication failed for user \"postgres\" [authentication "
            "failed: check user and password (password, PGPASSWORD or the profile connector)]");
  EXPECT_EQ(ExplainError("ERROR:  relation \"nope\" does not exist", "h:1/d"),
            "PostgreSQL (h:1/d): relation \"nope\" does not exist");
}

}  // namespace
}  // namespace sqlflow::connectors::postgres
