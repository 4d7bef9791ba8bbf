// libFuzzer target over reading, lexing, splitting, parsing and analysis.
// Built with clang by -DTLINT_LIBFUZZER=ON; the smoke driver (smoke_main.cpp)
// runs the same function under ctest with any compiler.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lint/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kSchema =
		"CREATE TABLE orders (id int, tenant_id uuid); CREATE TABLE customers (id int, tenant_id uuid);"
		"SELECT tenant_guard.protect('customers');";
	tlint::SchemaModel model("tenant_id", {"public"});
	tlint::LearnSchema(tlint::PrepareText("schema.sql", kSchema), model);
	tlint::PreparedFile file =
		tlint::PrepareText("fuzz.sql", std::string(reinterpret_cast<const char *>(data), size));
	tlint::LearnSchema(file, model);
	model.Settle();
	tlint::LintOptions options;
	tlint::FileReport report = tlint::LintFile(file, model, options);
	/* Every finding must point inside the file. */
	for (const tlint::Finding &f : report.findings)
		if (f.byte_offset < 0 || static_cast<size_t>(f.byte_offset) > size)
			__builtin_trap();
	return 0;
}
