// The export's text decoding in tenant-audit: hex by SIMD and by table must
// agree on every digit and refuse every other byte, at every position.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"
#include "log_lines.h"

using namespace tg::audit_cli;

BOOST_AUTO_TEST_SUITE(export_text)

BOOST_AUTO_TEST_CASE(hex_round_trips_every_byte_at_every_length)
{
	std::string bytes;
	for (int i = 0; i < 256; i++)
		bytes += static_cast<char>(i);
	for (size_t len = 0; len <= bytes.size(); len++) {
		std::string const hex = EncodeHex(std::string_view(bytes).substr(256 - len));
		std::string out;
		BOOST_TEST_REQUIRE(DecodeHex(hex, out));
		BOOST_TEST_REQUIRE(out == bytes.substr(256 - len));
	}
}

BOOST_AUTO_TEST_CASE(hex_refuses_every_other_byte_at_every_position)
{
	for (size_t pos = 0; pos < 40; pos++)
		for (int c = 0; c < 256; c++) {
			bool const digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
			std::string hex(40, '7');
			hex[pos] = static_cast<char>(c);
			std::string out;
			BOOST_TEST_REQUIRE(DecodeHex(hex, out) == digit, "byte " << c << " at " << pos);
		}
	std::string out;
	BOOST_TEST(!DecodeHex("abc", out));
	BOOST_TEST(!DecodeHex("00112233445566778899AABBCCDDEEFF", out)); // upper case is not the export's
}

BOOST_AUTO_TEST_CASE(fields_split_in_place_and_count_too_many)
{
	Fields const f("E 12 0a0b");
	BOOST_TEST(f.size() == 3u);
	BOOST_TEST(std::string(f[2]) == "0a0b");
	BOOST_TEST(Fields("").size() == 1u);
	BOOST_TEST(Fields("a b c d e f g h").size() == 8u);
	BOOST_TEST(Fields("a b c d e f g h i j").size() == 9u);
}

BOOST_AUTO_TEST_CASE(numbers_are_int64_and_nothing_else)
{
	BOOST_TEST(ParseInt("0") == 0);
	BOOST_TEST(ParseInt("-5") == -5);
	BOOST_TEST(ParseInt("9223372036854775807") == INT64_MAX);
	BOOST_TEST(ParseInt("-9223372036854775808") == INT64_MIN);
	for (const char *bad : {"", "-", "+1", "1 ", "18446744073709551617", "9223372036854775808", "1e3", "0x10"})
		BOOST_CHECK_THROW(ParseInt(bad), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(event_bytes_with_a_chain_length_near_4_gib_are_refused)
{
	/* format 1, a bytes field of length 0xFFFFFFF7, then what would be the seq field. */
	std::string bytes = std::string("\x01\x01\xff\xff\xff\xf7", 6) + std::string(16, '\x02');
	std::string_view chain;
	int64_t seq = 0;
	BOOST_TEST(!ReadChainAndSeq(bytes, chain, seq));
}

BOOST_AUTO_TEST_CASE(a_directory_is_no_empty_file)
{
	BOOST_CHECK_THROW(LineReader in(TG_SOURCE_DIR), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_fifo_is_refused_without_waiting_for_a_writer)
{
	/* Opening a FIFO for reading blocks until someone writes: the old reader hung here. */
	char dir[] = "/tmp/tg_export_text_XXXXXX";
	BOOST_TEST_REQUIRE(mkdtemp(dir) != nullptr);
	std::string const fifo = std::string(dir) + "/anchors.tsv";
	BOOST_TEST_REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
	BOOST_CHECK_THROW(LineReader in(fifo), std::runtime_error);
	unlink(fifo.c_str());
	rmdir(dir);
}

BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_opened_is_no_missing_file)
{
	/*
	 * Only ENOENT means "absent" (checkpoint.tsv is optional); any other
	 * failure, here ENOTDIR (no permission is the same, but root has every
	 * permission), must not pass as an export without the file.
	 */
	std::string const under_a_file = std::string(TG_SOURCE_DIR) + "/CMakeLists.txt/checkpoint.tsv";
	BOOST_CHECK_THROW(LineReader in(under_a_file), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_not_ok)
{
	LineReader in(std::string(TG_SOURCE_DIR) + "/no such file");
	BOOST_TEST(!in.ok());
}

BOOST_AUTO_TEST_CASE(days_are_yyyy_mm_dd)
{
	BOOST_TEST(IsDay("2026-12-02"));
	for (const char *bad : {"", "2026-12-2", "2026/12/02", "2026-12-02x", "20261202", "2026-1a-02", "\x1b[2J-12-02"})
		BOOST_TEST(!IsDay(bad));
}

BOOST_AUTO_TEST_SUITE_END()
