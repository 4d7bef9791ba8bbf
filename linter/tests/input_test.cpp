// Files as they come: encodings, binary data, sizes, psql scripts, odd input.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "lint/linter.h"
#include "source/lexer.h"
#include "source/source_file.h"
#include "test_support.h"

using tlint::test::Lint;
using tlint::test::RuleList;

BOOST_AUTO_TEST_SUITE(input)

BOOST_AUTO_TEST_CASE(binary_file_is_reported_not_parsed)
{
	auto f = Lint(std::string("SELECT * FROM orders;\0\x01\x02", 24));
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].rule == "unreadable-file");
	BOOST_TEST(f[0].message.find("binary") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_located)
{
	auto f = Lint("SELECT 1;\nSELECT '\xff' FROM orders;");
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].rule == "unreadable-file");
	BOOST_TEST(f[0].start.line == 2);
	BOOST_TEST(f[0].start.column == 9);
}

BOOST_AUTO_TEST_CASE(utf8_validation)
{
	BOOST_TEST(!tlint::FirstInvalidUtf8("plain ascii"));
	BOOST_TEST(!tlint::FirstInvalidUtf8("ünïcödé 日本 🐘"));
	BOOST_TEST(*tlint::FirstInvalidUtf8("a\xc0\xafz") == 1u); /* overlong */
	BOOST_TEST(*tlint::FirstInvalidUtf8("a\xed\xa0\x80") == 1u); /* surrogate */
	BOOST_TEST(*tlint::FirstInvalidUtf8("ab\xe2\x82") == 2u);	 /* truncated */
	BOOST_TEST(*tlint::FirstInvalidUtf8("\xf5\x80\x80\x80") == 0u);
}

BOOST_AUTO_TEST_CASE(file_over_the_size_limit)
{
	std::string const path = "/tmp/tlint_big_test.sql";
	{
		std::ofstream out(path);
		out << std::string(2048, ' ') << "SELECT 1;";
	}
	tlint::PreparedFile file = tlint::PrepareFile(path, 1024);
	BOOST_REQUIRE(file.problem.has_value());
	BOOST_TEST(file.problem->message.find("over the limit of 1024") != std::string::npos);
	tlint::SchemaModel model("tenant_id", {});
	auto report = tlint::LintFile(file, model, {});
	BOOST_TEST(RuleList(report.findings) == "unreadable-file");
	std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_io_error)
{
	tlint::PreparedFile file = tlint::PrepareFile("/nonexistent/x.sql", 1024);
	BOOST_TEST(!file.io_error.empty());
}

BOOST_AUTO_TEST_CASE(directory_is_an_io_error)
{
	tlint::PreparedFile file = tlint::PrepareFile("/tmp", 1024);
	BOOST_TEST(file.io_error == "is a directory");
}

BOOST_AUTO_TEST_CASE(deep_nesting_does_not_crash)
{
	std::string sql = "SELECT " + std::string(20000, '(') + "1" + std::string(20000, ')') +
					  " FROM orders WHERE tenant_id = $1;\nSELECT * FROM orders;";
	auto f = Lint(sql);
	BOOST_TEST(!f.empty());
	BOOST_TEST(f.back().rule == "missing-tenant-predicate");
}

BOOST_AUTO_TEST_CASE(many_statements)
{
	std::string sql;
	for (int i = 0; i < 2000; i++)
		sql += "SELECT * FROM orders WHERE tenant_id = $1 AND id = " + std::to_string(i) + ";\n";
	sql += "SELECT * FROM orders;\n";
	auto f = Lint(sql);
	BOOST_REQUIRE_EQUAL(f.size(), 1u);
	BOOST_TEST(f[0].start.line == 2001);
}

BOOST_AUTO_TEST_CASE(lexer_keeps_offsets_and_blanks_meta_commands)
{
	std::string const input = "\\set x 1\nSELECT 1; -- c\n/* b */ SELECT 2 \\gx\n";
	tlint::LexedSource lexed = tlint::LexSource(input);
	BOOST_TEST(lexed.sql.size() == input.size());
	BOOST_TEST(lexed.sql.substr(0, 8) == std::string(8, ' '));
	BOOST_TEST(lexed.comments.size() == 2u);
	BOOST_TEST(std::string(lexed.comments[0].text) == " c");
	BOOST_TEST(std::string(lexed.comments[1].text) == " b ");
	BOOST_TEST(lexed.meta_lines.size() == 2u);
}

BOOST_AUTO_TEST_CASE(lexer_splits_outside_quotes_and_bodies)
{
	std::string const input =
		"SELECT ';', \"a;b\", $$x;y$$, $t$;$t$, E'\\';';\n"
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
		"SELECT CASE WHEN true THEN 2 END; END;\n"
		"SELECT /* ; nested /* ; */ ; */ 3;";
	tlint::LexedSource lexed = tlint::LexSource(input);
	BOOST_REQUIRE_EQUAL(lexed.statements.size(), 3u);
	BOOST_TEST(input.substr(lexed.statements[1].offset, lexed.statements[1].length).find("END") !=
			   std::string::npos);
}

BOOST_AUTO_TEST_CASE(lexer_keeps_parameters_apart_from_dollar_quotes)
{
	tlint::LexedSource lexed = tlint::LexSource("SELECT $1; SELECT $2;");
	BOOST_TEST(lexed.statements.size() == 2u);
}

BOOST_AUTO_TEST_CASE(meta_commands_only_is_an_empty_file)
{
	BOOST_TEST(RuleList(Lint("\\set ON_ERROR_STOP 1\n\\echo done\n")) == "empty-file");
}

BOOST_AUTO_TEST_CASE(unterminated_block_comment)
{
	BOOST_TEST(RuleList(Lint("SELECT 1; /* never closed")) == "");
	/* PostgreSQL refuses it too; a lone unterminated comment holds no statement. */
	BOOST_TEST(RuleList(Lint("SELECT * FROM orders /* never closed")) == "parse-error");
}

BOOST_AUTO_TEST_CASE(line_index)
{
	tlint::LineIndex lines("ab\ncd\r\n\nxyz");
	BOOST_TEST(lines.LineCount() == 4);
	BOOST_TEST(lines.Line(2) == "cd");
	BOOST_TEST(lines.Line(3) == "");
	BOOST_TEST(lines.At(4).line == 2);
	BOOST_TEST(lines.At(4).column == 2);
	BOOST_TEST(lines.At(100).line == 4);
}

/*
 * A large input lexed in pieces gives what one lexer gives, also when pieces
 * are cut at a ';' inside a string, a comment, a function body, COPY data or a
 * BEGIN ATOMIC body.
 */
BOOST_AUTO_TEST_CASE(lexing_in_pieces_agrees_with_one_lexer)
{
	std::string const unit =
		"SELECT 'a;b' FROM t WHERE x = $1; -- c;d\n"
		"CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN; RETURN 1; END $$;\n"
		"/* x; /* nested; */ y; */ SELECT \"q;\" FROM t;\n"
		"COPY t FROM STDIN;\n1;2\n3;4\n\\.\n"
		"\\set x 1\nSELECT 1 \\gset\n"
		"CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
		"SELECT E'it\\'s;' ; ";
	for (size_t const repeat : {size_t{1}, tlint::kParallelLexBytes / unit.size() + 7}) {
		std::string input;
		for (size_t k = 0; k < repeat; k++)
			input += unit;
		tlint::LexedSource const one = tlint::LexSource(input);
		for (unsigned pieces : {2u, 3u, 7u, 64u}) {
			tlint::LexedSource const many = tlint::LexSource(
				input, pieces, [](size_t n, const std::function<void(size_t)> &work) {
					for (size_t k = 0; k < n; k++)
						work(k);
				});
			BOOST_TEST(many.sql == one.sql);
			BOOST_REQUIRE_EQUAL(many.statements.size(), one.statements.size());
			for (size_t k = 0; k < one.statements.size(); k++) {
				BOOST_TEST(many.statements[k].offset == one.statements[k].offset);
				BOOST_TEST(many.statements[k].length == one.statements[k].length);
				BOOST_TEST(many.statements[k].has_tokens == one.statements[k].has_tokens);
			}
			BOOST_REQUIRE_EQUAL(many.comments.size(), one.comments.size());
			for (size_t k = 0; k < one.comments.size(); k++)
				BOOST_TEST(many.comments[k].offset == one.comments[k].offset);
			BOOST_TEST(many.meta_lines == one.meta_lines);
		}
	}
}

BOOST_AUTO_TEST_SUITE_END()
