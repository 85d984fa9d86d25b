#include "catch.hpp"
#include "melgenre/error.hpp"

using namespace melgenre;

TEST_CASE("Expected carries a value or an error") {
  Expected<int> a = 3;
  REQUIRE(a.ok());
  CHECK(*a == 3);
  Expected<int> b = make_error(Status::corrupt_input, "x.wav: truncated");
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().status == Status::corrupt_input);
  CHECK(b.error().message == "x.wav: truncated");
  CHECK(std::string(status_name(Status::invalid_model)) == "invalid model");
  Expected<void> c;
  CHECK(c.ok());
  Expected<void> d = make_error(Status::io_error, "cannot open");
  CHECK_FALSE(d.ok());
}
