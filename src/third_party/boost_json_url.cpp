// The single translation unit that compiles Boost.JSON and Boost.URL.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
