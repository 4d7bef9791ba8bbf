#define BOOST_TEST_MODULE tenant-lint tests
#include <boost/test/unit_test.hpp>
