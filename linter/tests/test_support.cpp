#include "test_support.h"

namespace tlint::test {

const char *const kSchema = R"sql(
CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, customer_id bigint,
                     total numeric, created_at timestamptz);
CREATE TABLE customers (id bigint, tenant_id uuid NOT NULL, name text);
CREATE TABLE line_items (order_id bigint, tenant_id uuid, sku text, qty int);
CREATE TABLE countries (code text, name text);
CREATE TABLE billing.invoices (id bigint, tenant_id uuid, amount numeric);
CREATE TABLE "Audit" (tenant_id uuid, line text);
CREATE TABLE events (tenant_id uuid, kind text) PARTITION BY LIST (kind);
CREATE TABLE events_login PARTITION OF events FOR VALUES IN ('login');
CREATE TABLE protected_notes (id int, tenant_id uuid, body text);
SELECT tenant_guard.protect('protected_notes');
CREATE TABLE app.things (id int, tenant_id uuid);
SELECT tenant_guard.protect_schema('app');
)sql";

std::vector<Finding> Lint(const std::string &sql, const LintOptions &options)
{
	SchemaModel model("tenant_id", {"public"});
	LearnSchema(PrepareText("schema.sql", kSchema), model);
	PreparedFile file = PrepareText("case.sql", sql);
	LearnSchema(file, model);
	model.Settle();
	return LintFile(file, model, options).findings;
}

std::string RuleList(const std::vector<Finding> &findings)
{
	std::string out;
	for (const Finding &f : findings)
		out += (out.empty() ? "" : ",") + f.rule;
	return out;
}

} // namespace tlint::test
