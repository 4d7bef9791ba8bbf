// Real application idioms (issue 14): named parameters, equality chains, CTE
// and sub-query ties, tenant hierarchies, several tenant columns. Each case
// asserts every finding's rule, span and message, not only the rule ids.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "test_support.h"

namespace {

/* Three tenant column spellings in one code base, as the issue describes. */
const char *const kAppSchema = R"sql(
CREATE TABLE accounts (id uuid PRIMARY KEY, name text);
CREATE TABLE connections (id bigint, account_id uuid NOT NULL, provider text);
CREATE TABLE users (id bigint, tenant_id uuid NOT NULL, email text, manager_id bigint);
CREATE TABLE orders (id bigint, tenant_id uuid NOT NULL, user_id bigint, total numeric, status text);
CREATE TABLE widgets (id bigint, "tenantId" uuid NOT NULL, label text);
CREATE TABLE deployments (id bigint, project uuid NOT NULL, state text);
CREATE TABLE plans (id bigint, project text);
)sql";

struct Case {
	const char *name;
	const char *sql;
	const char *expected; /* "rule line:col-col message" per finding, newline-separated */
	bool any_tenant_parameter = false;
};

std::ostream &operator<<(std::ostream &out, const Case &c) { return out << c.name; }

std::string Describe(const std::vector<tlint::Finding> &findings)
{
	std::string out;
	for (const tlint::Finding &f : findings)
		out += f.rule + " " + std::to_string(f.start.line) + ":" + std::to_string(f.start.column) +
			   "-" + std::to_string(f.end.column) + " " + f.message + "\n";
	return out;
}

std::vector<tlint::Finding> LintApp(const std::string &sql, bool any)
{
	tlint::SchemaModel model(std::vector<std::string>{"tenant_id", "tenantId", "account_id"},
							 {"public"});
	model.OverrideTenantColumn("", "deployments", "project");
	tlint::LearnSchema(tlint::PrepareText("schema.sql", kAppSchema), model);
	tlint::PreparedFile file = tlint::PrepareText("q.sql", sql);
	model.Settle();
	tlint::LintOptions options;
	options.analysis.any_tenant_parameter = any;
	return tlint::LintFile(file, model, options).findings;
}

#define MISSING(line, from, to, verb, table, column, reason)                                       \
	"missing-tenant-predicate " #line ":" #from "-" #to " query " verb " tenant table " table      \
	" without a tenant predicate on " column reason "\n"

const Case kCases[] = {
	// ---- named parameters: every spelling is a value, never a column ----------------
	{"sqlc_at_param", "SELECT * FROM orders WHERE tenant_id = @tenant_id AND id = @id;", ""},
	{"sqlc_at_param_cast", "SELECT * FROM orders WHERE tenant_id = @tenantId::uuid;", ""},
	{"sqlc_at_param_no_space", "SELECT * FROM orders WHERE tenant_id=@tenant_id;", ""},
	{"sqlc_arg", "SELECT * FROM orders WHERE tenant_id = sqlc.arg(tenant_id)::uuid;", ""},
	{"sqlc_narg_under_or",
	 "SELECT * FROM orders WHERE (sqlc.narg(t)::uuid IS NULL OR tenant_id = sqlc.narg(t));",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (the predicate on tenant_id is under OR: another branch lets other tenants' rows through)")},
	{"colon_param", "SELECT * FROM orders WHERE tenant_id = :tenant_id AND status = :status;", ""},
	{"psql_quoted_param", "SELECT * FROM orders WHERE tenant_id = :'tenant';", ""},
	{"question_mark", "SELECT * FROM orders WHERE tenant_id = ? AND id IN (?, ?) LIMIT ?;", ""},
	{"question_mark_is_no_literal", "UPDATE orders SET status = ? WHERE tenant_id = ?;", ""},
	{"numbered_question_mark", "DELETE FROM orders WHERE tenant_id = ?1 AND id = ?2;", ""},
	{"jsonb_question_operator_is_kept",
	 "SELECT * FROM plans p JOIN orders o ON o.id = p.id WHERE o.tenant_id = $1 AND p.project ? 'x';",
	 ""},
	{"at_param_missing_tenant", "SELECT * FROM orders WHERE id = @id;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", "")},
	{"containment_operator_is_no_param",
	 "SELECT * FROM orders WHERE ARRAY[tenant_id] <@ARRAY[@t::uuid];",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (tenant_id is compared with <@, not =)")},
	{"insert_named_params",
	 "INSERT INTO orders (id, tenant_id, total) VALUES (@id, @tenant_id, @total);", ""},
	{"insert_sqlc_arg",
	 "INSERT INTO users (tenant_id, email) VALUES (sqlc.arg(tenant_id), sqlc.arg(email));", ""},
	{"insert_question_marks", "INSERT INTO users (tenant_id, email) VALUES (?, ?);", ""},
	// ---- one reason per message ----------------------------------------------------
	{"reason_inequality", "SELECT * FROM orders WHERE tenant_id <> @t;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", " (tenant_id is compared with <>, not =)")},
	{"reason_is_not_null", "SELECT * FROM orders WHERE tenant_id IS NOT NULL;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (tenant_id IS NOT NULL does not pick a tenant)")},
	{"reason_self", "SELECT * FROM orders WHERE tenant_id = tenant_id;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", " (the predicate compares tenant_id with itself)")},
	{"reason_coalesce", "SELECT * FROM orders WHERE tenant_id = COALESCE(@t, tenant_id);",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (the predicate compares tenant_id with an expression of tenant_id itself, which "
			 "every row can match)")},
	{"reason_other_setting",
	 "SELECT * FROM orders WHERE tenant_id = current_setting('app.user_id')::uuid;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (tenant_id is compared with a value that is not the current tenant (a parameter, "
			 "the tenant setting or a tenant function))")},
	{"reason_in_list", "SELECT * FROM orders WHERE tenant_id IN ($1, $2);",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", " (tenant_id IN (...) admits several tenants)")},
	{"reason_negated", "SELECT * FROM orders WHERE NOT (tenant_id = $1);",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", " (the predicate on tenant_id is negated)")},
	{"reason_outer_join_side",
	 "SELECT * FROM orders o LEFT JOIN users u ON u.id = o.user_id AND o.tenant_id = $1 "
	 "AND u.tenant_id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (the predicate on tenant_id is in an outer join's ON clause, which does not filter "
			 "this table)")},
	{"reason_equated_with_unconstrained",
	 "SELECT * FROM orders o JOIN users u ON u.tenant_id = o.tenant_id WHERE u.id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (tenant_id is equated with u.tenant_id, which is not tied to the current tenant)")
		 MISSING(1, 29, 34, "reads", "users", "tenant_id",
				 " (tenant_id is equated with o.tenant_id, which is not tied to the current tenant)")},
	// ---- equality chains through any column ------------------------------------------
	{"chain_through_account_id",
	 "SELECT c.* FROM connections c JOIN accounts a ON a.id = c.account_id WHERE a.id = $1;", ""},
	{"chain_through_account_id_missing",
	 "SELECT c.* FROM connections c JOIN accounts a ON a.id = c.account_id WHERE a.name = $1;",
	 MISSING(1, 17, 28, "reads", "connections", "account_id",
			 " (account_id is equated with a.id, which is not tied to the current tenant)")},
	{"chain_three_tables",
	 "SELECT * FROM orders o JOIN users u ON u.id = o.user_id AND u.tenant_id = o.tenant_id "
	 "JOIN users m ON m.id = u.manager_id AND m.tenant_id = u.tenant_id WHERE o.tenant_id = @t;",
	 ""},
	{"chain_through_where_equalities",
	 "SELECT * FROM orders o, users u WHERE u.tenant_id = o.tenant_id AND o.tenant_id = u.tenant_id "
	 "AND u.tenant_id = :tenant;",
	 ""},
	{"chain_left_join_passes_to_nullable_side",
	 "SELECT * FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.tenant_id = o.tenant_id "
	 "WHERE o.tenant_id = $1;",
	 ""},
	{"chain_left_join_not_back_to_preserved_side",
	 "SELECT * FROM orders o LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.tenant_id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (the predicate on tenant_id is in an outer join's ON clause, which does not filter "
			 "this table)")},
	{"quoted_tenant_column", "SELECT * FROM widgets w WHERE w.\"tenantId\" = @tenantId;", ""},
	{"quoted_tenant_column_missing", "SELECT * FROM widgets WHERE label = @label;",
	 MISSING(1, 15, 22, "reads", "widgets", "tenantId", "")},
	{"per_table_override", "SELECT d.id FROM deployments d WHERE d.project = $1;", ""},
	{"per_table_override_missing", "SELECT * FROM deployments WHERE state = 'live';",
	 MISSING(1, 15, 26, "reads", "deployments", "project", "")},
	{"override_leaves_other_tables_alone", "SELECT * FROM plans WHERE project = 'x';", ""},
	// ---- CTEs and sub-queries tie the levels that read them ----------------------------
	{"update_from_constrained_cte",
	 "WITH x AS (SELECT id, tenant_id FROM orders WHERE tenant_id = @t AND status = 'stale')\n"
	 "UPDATE orders t SET status = 'done' FROM x WHERE t.tenant_id = x.tenant_id AND t.id = x.id;",
	 ""},
	{"update_from_unconstrained_cte",
	 "WITH x AS (SELECT id, tenant_id FROM orders WHERE status = 'stale')\n"
	 "UPDATE orders t SET status = 'done' FROM x WHERE t.tenant_id = x.tenant_id AND t.id = x.id;",
	 MISSING(1, 38, 44, "reads", "orders", "tenant_id", "")
		 MISSING(2, 8, 14, "updates", "orders", "tenant_id",
				 " (tenant_id is equated with x.tenant_id, which is not tied to the current tenant)")},
	{"delete_row_in_cte",
	 "WITH to_delete AS (SELECT tenant_id, id FROM orders WHERE tenant_id = $1 LIMIT 100)\n"
	 "DELETE FROM orders WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM to_delete);",
	 ""},
	{"delete_in_subquery_single_column",
	 "DELETE FROM users WHERE tenant_id IN (SELECT tenant_id FROM orders WHERE tenant_id = $1);", ""},
	{"delete_in_subquery_unconstrained",
	 "DELETE FROM users WHERE tenant_id IN (SELECT tenant_id FROM orders);",
	 MISSING(1, 13, 18, "deletes from", "users", "tenant_id",
			 " (tenant_id is compared with a sub-query whose rows are not tied to the current tenant)")
		 MISSING(1, 61, 67, "reads", "orders", "tenant_id", "")},
	{"correlated_in_subquery",
	 "SELECT * FROM users u WHERE u.tenant_id = $1 AND u.id IN "
	 "(SELECT o.user_id FROM orders o WHERE o.tenant_id = u.tenant_id);",
	 ""},
	{"subquery_in_from_exports_tenant",
	 "SELECT * FROM (SELECT tenant_id, id FROM orders WHERE tenant_id = $1) s "
	 "JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.id;",
	 ""},
	{"cte_star_exports_tenant",
	 "WITH mine AS (SELECT * FROM orders WHERE tenant_id = $1)\n"
	 "SELECT * FROM mine m JOIN users u ON u.tenant_id = m.tenant_id;",
	 ""},
	{"scalar_subquery_value",
	 "SELECT * FROM orders WHERE tenant_id = (SELECT tenant_id FROM users WHERE tenant_id = $1 "
	 "AND id = $2);",
	 ""},
	{"insert_from_returning_cte",
	 "WITH o AS (INSERT INTO orders (id, tenant_id) VALUES ($1, $2) RETURNING id, tenant_id)\n"
	 "INSERT INTO users (id, tenant_id) SELECT id, tenant_id FROM o;",
	 ""},
	{"recursive_cte_hierarchy",
	 "WITH RECURSIVE chain AS (SELECT id, tenant_id, manager_id FROM users WHERE tenant_id = $1 "
	 "AND id = $2 UNION ALL SELECT u.id, u.tenant_id, u.manager_id FROM users u JOIN chain c "
	 "ON u.id = c.manager_id AND u.tenant_id = c.tenant_id) SELECT * FROM chain;",
	 ""},
	// ---- tenant hierarchies: = ANY(parameter), only when asked ------------------------
	{"any_parameter_off", "SELECT * FROM deployments WHERE project = ANY($1::uuid[]);",
	 MISSING(1, 15, 26, "reads", "deployments", "project",
			 " (project = ANY(...) admits a set of tenants (set any_tenant_parameter = true to "
			 "accept a parameter holding the tenants the application allows))")},
	{"any_parameter_on", "SELECT * FROM deployments WHERE project = ANY($1::uuid[]);", "", true},
	{"any_sqlc_slice_on", "SELECT * FROM deployments WHERE project IN (sqlc.slice(projects));", "",
	 true},
	{"any_named_param_on", "SELECT * FROM deployments WHERE project = ANY(@projects::uuid[]);", "",
	 true},
	{"any_of_a_column_is_not_a_parameter",
	 "SELECT * FROM deployments d, plans p WHERE d.project = ANY(ARRAY[p.id::uuid]);",
	 MISSING(1, 15, 26, "reads", "deployments", "project",
			 " (project = ANY(...) takes its tenants from something that is not a parameter)"),
	 true},
	// ---- hard-coded-tenant names what the literal does -----------------------------------
	{"hard_coded_tenant_inserted", "INSERT INTO orders (tenant_id, id) VALUES ('t-1', 1);",
	 "hard-coded-tenant 1:44-45 tenant column tenant_id of orders is inserted as a literal; pass the current tenant instead\n"},
	{"hard_coded_tenant_compared", "DELETE FROM orders WHERE tenant_id = 't-1';",
	 "hard-coded-tenant 1:13-19 tenant column tenant_id of orders is compared with a literal; pass the current tenant instead\n"},
	// ---- JOIN ... USING: the unqualified column is the merged one ----------------------
	{"using_join_merged_column",
	 "SELECT o.id FROM orders o JOIN users u USING (tenant_id) WHERE tenant_id = $1;", ""},
	{"using_join_twice",
	 "SELECT 1 FROM orders JOIN users USING (tenant_id) JOIN orders o2 USING (tenant_id) WHERE tenant_id = $1;",
	 ""},
	{"using_left_join_merged_is_left_side",
	 "SELECT 1 FROM orders o LEFT JOIN users u USING (tenant_id) WHERE tenant_id = $1;", ""},
	{"using_join_without_tenant_predicate",
	 "SELECT 1 FROM orders o JOIN users u USING (tenant_id) WHERE id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", "")
	 MISSING(1, 29, 34, "reads", "users", "tenant_id", "")},
	// ---- FULL JOIN ... USING: the merged column is COALESCE(left, right) ------------------
	{"full_using_merged_column_constrains_both_sides",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id, id) WHERE tenant_id = $1;", ""},
	{"full_using_merged_column_feeds_a_reader",
	 "SELECT * FROM (SELECT * FROM orders o FULL JOIN users u USING (tenant_id) WHERE tenant_id = $1) s "
	 "JOIN orders x ON x.tenant_id = s.tenant_id;",
	 ""},
	{"full_using_chained_with_inner_using",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id) JOIN orders o2 USING (tenant_id) "
	 "WHERE tenant_id = $1;",
	 ""},
	{"full_using_twice",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id) FULL JOIN orders o2 USING (tenant_id) "
	 "WHERE tenant_id = $1;",
	 ""},
	{"full_using_without_tenant_predicate",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id, id) WHERE id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", "")
	 MISSING(1, 34, 39, "reads", "users", "tenant_id", "")},
	{"full_using_merged_column_in_list",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id) WHERE tenant_id IN ($1, $2);",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", " (tenant_id IN (...) admits several tenants)")
	 MISSING(1, 34, 39, "reads", "users", "tenant_id", " (tenant_id IN (...) admits several tenants)")},
	{"full_using_merged_column_under_or",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id) WHERE tenant_id = $1 OR u.id = $2;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (the predicate on tenant_id is under OR: another branch lets other tenants' rows through)")
	 MISSING(1, 34, 39, "reads", "users", "tenant_id",
			 " (the predicate on tenant_id is under OR: another branch lets other tenants' rows through)")},
	// ---- outer joins narrowed by WHERE, as PostgreSQL narrows them ----------------------
	{"full_using_where_on_one_side",
	 "SELECT 1 FROM orders o FULL JOIN users u USING (tenant_id) WHERE o.tenant_id = $1;", ""},
	{"full_join_on_where_on_one_side",
	 "SELECT 1 FROM orders o FULL JOIN users u ON u.tenant_id = o.tenant_id WHERE u.tenant_id = $1;", ""},
	{"full_join_on_filters_neither_side",
	 "SELECT 1 FROM orders o FULL JOIN users u ON u.tenant_id = o.tenant_id AND o.tenant_id = $1 "
	 "AND u.tenant_id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id",
			 " (the predicate on tenant_id is in an outer join's ON clause, which does not filter "
			 "this table)")
	 MISSING(1, 34, 39, "reads", "users", "tenant_id",
			 " (the predicate on tenant_id is in an outer join's ON clause, which does not filter "
			 "this table)")},
	{"full_join_where_not_distinct_does_not_narrow",
	 "SELECT 1 FROM orders o FULL JOIN users u ON u.tenant_id = o.tenant_id "
	 "WHERE o.tenant_id IS NOT DISTINCT FROM $1;",
	 MISSING(1, 34, 39, "reads", "users", "tenant_id",
			 " (the predicate on tenant_id is in an outer join's ON clause, which does not filter "
			 "this table)")},
	{"left_join_narrowed_to_inner_by_where",
	 "SELECT 1 FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.tenant_id = o.tenant_id "
	 "WHERE u.tenant_id = $1;",
	 ""},
	{"left_join_narrowed_needs_an_on_equality",
	 "SELECT 1 FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.tenant_id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", "")},
	{"right_using_merged_is_right_side",
	 "SELECT 1 FROM orders o RIGHT JOIN users u USING (tenant_id) WHERE tenant_id = $1;", ""},
	// ---- NATURAL joins: USING every column both sides are known to have ---------------
	{"natural_join", "SELECT 1 FROM orders o NATURAL JOIN users u WHERE tenant_id = $1;", ""},
	{"natural_left_join", "SELECT 1 FROM orders o NATURAL LEFT JOIN users u WHERE tenant_id = $1;", ""},
	{"natural_full_join", "SELECT 1 FROM orders o NATURAL FULL JOIN users u WHERE tenant_id = $1;", ""},
	{"natural_join_without_tenant_predicate",
	 "SELECT 1 FROM orders o NATURAL JOIN users u WHERE id = $1;",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", "")
	 MISSING(1, 37, 42, "reads", "users", "tenant_id", "")},
	// ---- row comparisons: (a, b) = (x, y) is a = x AND b = y --------------------------
	{"row_comparison", "SELECT * FROM orders WHERE (tenant_id, id) = ($1, $2);", ""},
	{"row_comparison_named", "UPDATE orders SET status = :s WHERE (tenant_id, id) = (:tenant, :id);", ""},
	{"row_comparison_in_every_or_branch",
	 "SELECT * FROM orders WHERE (tenant_id, id) = ($1, $2) OR (tenant_id, id) = ($1, $3);", ""},
	{"row_comparison_without_tenant",
	 "SELECT * FROM orders WHERE (status, id) = ($1, $2);",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", "")},
	{"row_comparison_with_itself",
	 "SELECT * FROM orders WHERE (tenant_id, id) = (tenant_id, $2);",
	 MISSING(1, 15, 21, "reads", "orders", "tenant_id", " (the predicate compares tenant_id with an expression of tenant_id itself, which every row can match)")},
};

} // namespace

BOOST_AUTO_TEST_SUITE(idiom_cases)

BOOST_DATA_TEST_CASE(findings_with_spans_and_messages, boost::unit_test::data::make(kCases), c)
{
	BOOST_TEST_INFO("case " << c.name);
	BOOST_TEST(Describe(LintApp(c.sql, c.any_tenant_parameter)) == std::string(c.expected));
}

BOOST_AUTO_TEST_SUITE_END()
