// Fuzz smoke test: feeds the fuzz target seeds and deterministic mutations of
// them (byte flips, cuts, splices, inserted SQL fragments). Runs in ctest with
// any compiler; a crash or a trap fails the test. Real fuzzing: see
// docs/linter.md (clang, -DTLINT_LIBFUZZER=ON).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

const char *const kSeeds[] = {
	"SELECT * FROM orders WHERE tenant_id = $1;",
	"SELECT o.id FROM orders o JOIN customers c ON c.tenant_id = o.tenant_id WHERE o.tenant_id = $1;",
	"WITH x AS (DELETE FROM orders RETURNING *) INSERT INTO customers SELECT * FROM x;",
	"INSERT INTO customers (id, tenant_id) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET id = 2;",
	"MERGE INTO orders t USING customers s ON t.id = s.id WHEN MATCHED THEN DELETE;",
	"CREATE FUNCTION f(p uuid) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1 FROM orders "
	"WHERE tenant_id = p; RETURN 1; END $$;",
	"CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 FROM orders; END;",
	"DO $$ BEGIN UPDATE orders SET id = 1; END $$;",
	"COPY orders FROM STDIN;\n1\t2\n\\.\n\\set x 1\nSELECT 1 \\gset\n",
	"-- tenant-lint: ignore[missing-tenant-predicate]\nSELECT * FROM orders; /* c */ TRUNCATE orders;",
	"SELECT (((((((1))))))) FROM orders o, LATERAL (SELECT * FROM customers c WHERE c.tenant_id = "
	"o.tenant_id) x WHERE o.tenant_id = current_setting('app.tenant_id')::uuid;",
	"SELECT 'unterminated",
	"SELECT E'\\'; DROP', \"q;\" FROM orders WHERE tenant_id IN ($1) OR tenant_id = ANY($2);",
};

const char *const kFragments[] = {"(", ")", ";", "'", "\"", "$$", "$1", "--", "/*", "*/",
								  "\\", "SELECT ", " FROM orders ", " WHERE ", " OR ", "BEGIN ATOMIC ",
								  "END", "\xff", "\x01", "é", "\n"};

std::string Mutate(std::string s, std::mt19937 &rng)
{
	int const steps = 1 + static_cast<int>(rng() % 4);
	for (int i = 0; i < steps; i++) {
		size_t const pos = s.empty() ? 0 : rng() % (s.size() + 1);
		switch (rng() % 4) {
		case 0:
			if (!s.empty())
				s[pos % s.size()] = static_cast<char>(rng() % 256);
			break;
		case 1:
			s.erase(pos, rng() % 16);
			break;
		case 2:
			s.insert(pos, kFragments[rng() % (sizeof(kFragments) / sizeof(kFragments[0]))]);
			break;
		default:
			s.insert(pos, kSeeds[rng() % (sizeof(kSeeds) / sizeof(kSeeds[0]))]);
			break;
		}
	}
	return s;
}

} // namespace

int main(int argc, char **argv)
{
	int const iterations = argc > 1 ? std::atoi(argv[1]) : 5000;
	std::mt19937 rng(20261125); /* fixed: the same inputs every run */
	int runs = 0;
	for (const char *seed : kSeeds) {
		std::string const s(seed);
		LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(s.data()), s.size());
		runs++;
	}
	for (int i = 0; i < iterations; i++) {
		std::string const s = Mutate(kSeeds[rng() % (sizeof(kSeeds) / sizeof(kSeeds[0]))], rng);
		LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(s.data()), s.size());
		runs++;
	}
	std::printf("fuzz smoke: %d inputs, no crash\n", runs);
	return 0;
}
