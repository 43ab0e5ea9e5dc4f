// The single translation unit that compiles Boost.URL (developer tools only).
#include <boost/url/src.hpp>
