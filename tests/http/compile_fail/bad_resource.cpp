// Must not compile: CTest builds it with -DTABLE_NAME=..., -DATTRIBUTE_NAME=... or
// -DINDEX_NAME=... and expects the compiler's error to name the broken rule
// (tests/http/CMakeLists.txt). Written as a function declares its resources.
#include <cppstack/http/resources.hpp>

#ifndef TABLE_NAME
#define TABLE_NAME "notes"
#endif
#ifndef ATTRIBUTE_NAME
#define ATTRIBUTE_NAME "id"
#endif
#ifndef INDEX_NAME
#define INDEX_NAME "by-owner"
#endif

using namespace cppstack::http;

constexpr ResourceName name = TABLE_NAME;
const TableOptions options{
    .partition_key = {ATTRIBUTE_NAME, KeyType::string},
    .global_indexes = {{.name = INDEX_NAME, .partition_key = {"owner", KeyType::string}}}};

int main() { return static_cast<int>(name.text().size() + options.global_indexes.size()); }
