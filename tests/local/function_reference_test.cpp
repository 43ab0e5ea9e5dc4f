#include <gtest/gtest.h>

#include <string>

#include "function_reference.hpp"

namespace cppstack::local {
namespace {

// The forms and answers recorded from AWS are replayed over HTTP by tests/fidelity; these pin the
// parts that need no emulator.
FunctionReference named(std::string_view name, std::optional<std::string_view> qualifier = {}) {
  auto result = parse_function_reference(name, qualifier, "us-east-1", "123456789012");
  const auto* reference = std::get_if<FunctionReference>(&result);
  if (reference == nullptr) {
    ADD_FAILURE() << name << ": " << std::get<FunctionReferenceError>(result).message;
    return {};
  }
  return *reference;
}

FunctionReferenceError refused(std::string_view name,
                               std::optional<std::string_view> qualifier = {}) {
  auto result = parse_function_reference(name, qualifier, "us-east-1", "123456789012");
  const auto* error = std::get_if<FunctionReferenceError>(&result);
  if (error == nullptr) {
    ADD_FAILURE() << name << " was accepted";
    return {};
  }
  return *error;
}

TEST(FunctionReference, EveryFormNamesTheSameFunction) {
  for (const char* name : {"fn", "fn:$LATEST", "123456789012:function:fn",
                           "arn:aws:lambda:us-east-1:123456789012:function:fn",
                           "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"}) {
    SCOPED_TRACE(name);
    const auto reference = named(name);
    EXPECT_EQ(reference.name, "fn");
    EXPECT_EQ(reference.account, "123456789012");
    EXPECT_EQ(reference.qualifier, "$LATEST");
    EXPECT_EQ(reference.arn(), "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST");
  }
  EXPECT_FALSE(named("fn").qualified);
  EXPECT_TRUE(named("fn:$LATEST").qualified);
  EXPECT_TRUE(named("fn", "$LATEST").qualified);
  EXPECT_EQ(named("fn", "prod").arn(), "arn:aws:lambda:us-east-1:123456789012:function:fn:prod");
}

TEST(FunctionReference, RefusalsAsLambdaAnswers) {
  EXPECT_EQ(refused("my-function!").error_type, "ValidationException");
  EXPECT_EQ(refused("fn", std::string(129, 'a')).status, 400);
  const auto both = refused("fn!", std::string(129, 'a'));
  EXPECT_EQ(both.message.rfind("2 validation errors detected: Value '", 0), 0u) << both.message;
  const auto derived = refused("fn:$LATEST", "1");
  EXPECT_EQ(derived.error_type, "InvalidParameterValueException");
  const auto region = refused("arn:aws:lambda:eu-west-1:123456789012:function:fn");
  EXPECT_EQ(region.status, 404);
  EXPECT_EQ(region.message,
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
}

// A name far longer than any Lambda accepts is refused without running the pattern matcher
// (which would recurse once per character).
TEST(FunctionReference, HugeNameIsAValidationError) {
  const auto huge = refused(std::string(60000, 'a'));
  EXPECT_EQ(huge.error_type, "ValidationException");
}

}  // namespace
}  // namespace cppstack::local
