#define BOOST_TEST_MODULE tenant_guard unit tests
#include <boost/test/unit_test.hpp>
