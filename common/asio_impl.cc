// The one translation unit that compiles Boost.Asio and Boost.Beast (separate compilation mode,
// enabled by the herald_asio target's compile definitions).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
