// The baseline for bench/lint_throughput.sh: libpg_query's raw parser alone,
// no analysis, no output, on the corpus's statements (one per line). With RUN
// > 1, RUN statements are parsed by one pg_query_raw_parse call (the text of
// RUN lines joined), which spends less on setting up each call. Prints the
// statement count, then statements per second of wall-clock time and of CPU
// time, each the best of three passes.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "parse/pg_nodes.h" /* PostgreSQL and libpg_query headers, printf macros undone */

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		std::fprintf(stderr, "usage: %s CORPUS_DIR [RUN]\n", argv[0]);
		return 2;
	}
	size_t const run = argc == 3 ? std::max(1L, std::strtol(argv[2], nullptr, 10)) : 1;
	std::vector<std::string> inputs;
	size_t count = 0;
	for (const auto &entry : std::filesystem::directory_iterator(argv[1])) {
		std::ifstream in(entry.path());
		size_t in_run = 0;
		for (std::string line; std::getline(in, line);) {
			if (line.empty())
				continue;
			count++;
			if (in_run == 0)
				inputs.emplace_back();
			inputs.back() += line;
			inputs.back() += '\n';
			in_run = (in_run + 1) % run;
		}
	}
	/* CPU time does not count the time another process holds the core: the measure for a busy machine. */
	auto const cpu_now = [] {
		timespec t{};
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		return t.tv_sec + t.tv_nsec / 1e9;
	};
	double best = 0, best_cpu = 0;
	for (int pass = 0; pass < 3; pass++) {
		auto const start = std::chrono::steady_clock::now();
		double const cpu_start = cpu_now();
		for (const std::string &s : inputs) {
			MemoryContext ctx = pg_query_enter_memory_context();
			PgQueryInternalParsetreeAndError r = pg_query_raw_parse(s.c_str());
			if (r.error != nullptr)
				pg_query_free_error(r.error);
			free(r.stderr_buffer);
			pg_query_exit_memory_context(ctx);
		}
		double const seconds =
			std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
		best = std::max(best, count / seconds);
		best_cpu = std::max(best_cpu, count / (cpu_now() - cpu_start));
	}
	std::printf("%zu %.0f %.0f\n", count, best, best_cpu);
	return 0;
}
