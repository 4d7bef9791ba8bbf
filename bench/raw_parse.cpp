// The baseline for bench/lint_throughput.sh: libpg_query's raw parser alone,
// one statement per call (one statement per line in the corpus), no analysis,
// no output. Prints statements per second, best of three passes.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "parse/pg_nodes.h" /* PostgreSQL and libpg_query headers, printf macros undone */

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	std::vector<std::string> statements;
	for (const auto &entry : std::filesystem::directory_iterator(argv[1])) {
		std::ifstream in(entry.path());
		for (std::string line; std::getline(in, line);)
			if (!line.empty())
				statements.push_back(line);
	}
	double best = 0;
	for (int pass = 0; pass < 3; pass++) {
		auto const start = std::chrono::steady_clock::now();
		for (const std::string &s : statements) {
			MemoryContext ctx = pg_query_enter_memory_context();
			PgQueryInternalParsetreeAndError r = pg_query_raw_parse(s.c_str());
			if (r.error != nullptr)
				pg_query_free_error(r.error);
			free(r.stderr_buffer);
			pg_query_exit_memory_context(ctx);
		}
		double const seconds =
			std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		best = std::max(best, statements.size() / seconds);
	}
	std::printf("%zu %.0f\n", statements.size(), best);
	return 0;
}
