// Rule cases: one SQL text each, and the rules it must trigger, in file order.
// Every construct the analyzer understands has an ok case and an err case.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

#include "test_support.h"

namespace {

struct Case {
	const char *name;
	const char *sql;
	const char *expected; /* comma-separated rule ids, "" when clean */
};

std::ostream &operator<<(std::ostream &out, const Case &c) { return out << c.name; }

constexpr const char *kMissing = "missing-tenant-predicate";

const Case kCases[] = {
	// ---- SELECT: what counts as a tenant predicate -------------------------------
	{"select_with_param", "SELECT * FROM orders WHERE tenant_id = $1", ""},
	{"select_without_where", "SELECT * FROM orders", kMissing},
	{"select_other_predicate_only", "SELECT * FROM orders WHERE id = $1", kMissing},
	{"select_alias_qualified", "SELECT o.id FROM orders o WHERE o.tenant_id = $1", ""},
	{"select_table_qualified", "SELECT orders.id FROM orders WHERE orders.tenant_id = $1", ""},
	{"select_schema_qualified_table", "SELECT * FROM public.orders WHERE tenant_id = $1", ""},
	{"select_value_on_the_left", "SELECT * FROM orders WHERE $1 = tenant_id", ""},
	{"select_param_cast", "SELECT * FROM orders WHERE tenant_id = $1::uuid", ""},
	{"select_current_setting",
	 "SELECT * FROM orders WHERE tenant_id = current_setting('app.tenant_id')::uuid", ""},
	{"select_current_setting_missing_ok",
	 "SELECT * FROM orders WHERE tenant_id = current_setting('app.tenant_id', true)::uuid", ""},
	{"select_other_setting_is_not_tenant",
	 "SELECT * FROM orders WHERE tenant_id = current_setting('app.user_id')::uuid", kMissing},
	{"select_tenant_guard_current_tenant",
	 "SELECT * FROM orders WHERE tenant_id = tenant_guard.current_tenant()::uuid", ""},
	{"select_tenant_guard_typed_function",
	 "SELECT * FROM orders WHERE tenant_id = tenant_guard.tenant_uuid('orders')", ""},
	{"select_initplan_form",
	 "SELECT * FROM orders WHERE tenant_id = (SELECT current_setting('app.tenant_id')::uuid)", ""},
	{"select_literal_is_hard_coded",
	 "SELECT * FROM orders WHERE tenant_id = 'aaaaaaaa-0000-0000-0000-000000000001'",
	 "hard-coded-tenant"},
	{"select_under_or", "SELECT * FROM orders WHERE tenant_id = $1 OR id = 1", kMissing},
	{"select_or_with_tenant_in_every_branch",
	 "SELECT * FROM orders WHERE (tenant_id = $1 AND id = 1) OR (tenant_id = $1 AND id = 2)", ""},
	{"select_or_with_tenant_in_one_branch",
	 "SELECT * FROM orders WHERE (tenant_id = $1 AND id = 1) OR id = 2", kMissing},
	{"select_is_not_null", "SELECT * FROM orders WHERE tenant_id IS NOT NULL", kMissing},
	{"select_inequality", "SELECT * FROM orders WHERE tenant_id <> $1", kMissing},
	{"select_range", "SELECT * FROM orders WHERE tenant_id > $1", kMissing},
	{"select_self_comparison", "SELECT * FROM orders WHERE tenant_id = tenant_id", kMissing},
	{"select_coalesce_bypass", "SELECT * FROM orders WHERE tenant_id = COALESCE($1, tenant_id)",
	 kMissing},
	{"select_not_distinct_from", "SELECT * FROM orders WHERE tenant_id IS NOT DISTINCT FROM $1",
	 ""},
	{"select_in_single_value", "SELECT * FROM orders WHERE tenant_id IN ($1)", ""},
	{"select_in_several_values", "SELECT * FROM orders WHERE tenant_id IN ($1, $2)", kMissing},
	{"select_any_array", "SELECT * FROM orders WHERE tenant_id = ANY($1)", kMissing},
	{"select_nested_and", "SELECT * FROM orders WHERE id = 1 AND (total > 0 AND tenant_id = $1)",
	 ""},
	{"select_negated_inequality", "SELECT * FROM orders WHERE NOT (tenant_id <> $1)", kMissing},
	{"select_non_tenant_table", "SELECT * FROM countries", ""},
	{"select_unknown_table", "SELECT * FROM nowhere", ""},
	{"select_case_folding", "SELECT * FROM ORDERS WHERE TENANT_ID = $1", ""},
	{"select_case_folding_missing", "SELECT * FROM Orders", kMissing},
	{"select_quoted_name_is_case_sensitive", "SELECT * FROM \"Orders\"", ""},
	{"select_quoted_tenant_table", "SELECT * FROM \"Audit\"", kMissing},
	{"select_quoted_tenant_table_ok", "SELECT * FROM \"Audit\" a WHERE a.tenant_id = $1", ""},
	{"select_other_schema_missing", "SELECT * FROM billing.invoices", kMissing},
	{"select_other_schema_ok", "SELECT * FROM billing.invoices i WHERE i.tenant_id = $1", ""},
	{"select_other_schema_not_on_search_path", "SELECT * FROM invoices", ""},
	{"select_wrong_alias_qualifier", "SELECT * FROM orders o, customers c WHERE c.tenant_id = $1",
	 kMissing},
	{"select_partition_parent", "SELECT * FROM events", kMissing},
	{"select_partition_directly", "SELECT * FROM events_login", kMissing},
	{"select_partition_ok", "SELECT * FROM events_login WHERE tenant_id = $1", ""},
	{"select_group_by_having", "SELECT customer_id, count(*) FROM orders WHERE tenant_id = $1 "
							   "GROUP BY customer_id HAVING count(*) > 1",
	 ""},
	{"select_for_update", "SELECT * FROM orders WHERE tenant_id = $1 FOR UPDATE", ""},
	{"select_distinct_on_order_by",
	 "SELECT DISTINCT ON (customer_id) * FROM orders WHERE tenant_id = $1 ORDER BY customer_id",
	 ""},
	// ---- joins -------------------------------------------------------------------
	{"join_propagates_through_on",
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id AND c.tenant_id = o.tenant_id "
	 "WHERE o.tenant_id = $1",
	 ""},
	{"join_without_propagation",
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.tenant_id = $1",
	 kMissing},
	{"join_both_in_where",
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id "
	 "WHERE o.tenant_id = $1 AND c.tenant_id = $1",
	 ""},
	{"join_comma_propagates_through_where",
	 "SELECT * FROM orders o, customers c WHERE o.tenant_id = $1 AND c.tenant_id = o.tenant_id", ""},
	{"join_propagation_chain",
	 "SELECT * FROM orders o JOIN customers c ON c.tenant_id = o.tenant_id "
	 "JOIN line_items l ON l.tenant_id = c.tenant_id WHERE o.tenant_id = $1",
	 ""},
	{"join_propagation_backwards",
	 "SELECT * FROM orders o JOIN customers c ON c.tenant_id = o.tenant_id WHERE c.tenant_id = $1",
	 ""},
	{"join_using_tenant",
	 "SELECT * FROM orders JOIN customers USING (tenant_id) WHERE orders.tenant_id = $1", ""},
	{"join_using_other_column",
	 "SELECT * FROM orders o JOIN line_items l ON l.order_id = o.id WHERE o.tenant_id = $1",
	 kMissing},
	{"left_join_on_filters_only_right",
	 "SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id AND o.tenant_id = $1",
	 "missing-tenant-predicate,missing-tenant-predicate"},
	{"left_join_right_side_constrained_in_on",
	 "SELECT * FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
	 "AND c.tenant_id = o.tenant_id WHERE o.tenant_id = $1",
	 ""},
	{"right_join_on_does_not_filter_right",
	 "SELECT * FROM orders o RIGHT JOIN customers c ON c.tenant_id = $1 AND o.tenant_id = $1",
	 kMissing},
	{"full_join_on_filters_nothing",
	 "SELECT * FROM orders o FULL JOIN customers c ON c.tenant_id = o.tenant_id "
	 "WHERE o.tenant_id IN ($1, $2)",
	 "missing-tenant-predicate,missing-tenant-predicate"},
	/* WHERE o.tenant_id = $1 drops the rows without o: every c row left has a match in o. */
	{"full_join_narrowed_by_where",
	 "SELECT * FROM orders o FULL JOIN customers c ON c.tenant_id = o.tenant_id "
	 "WHERE o.tenant_id = $1",
	 ""},
	{"cross_join_constrained",
	 "SELECT * FROM orders o CROSS JOIN customers c WHERE o.tenant_id = $1 AND c.tenant_id = $1",
	 ""},
	{"cross_join_missing",
	 "SELECT * FROM orders o CROSS JOIN customers c WHERE o.tenant_id = $1", kMissing},
	{"self_join_propagates",
	 "SELECT * FROM orders a JOIN orders b ON b.tenant_id = a.tenant_id WHERE a.tenant_id = $1", ""},
	{"self_join_missing",
	 "SELECT * FROM orders a JOIN orders b ON b.id = a.id WHERE a.tenant_id = $1", kMissing},
	{"join_ambiguous_unqualified_column",
	 "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE tenant_id = $1",
	 "missing-tenant-predicate,missing-tenant-predicate"},
	{"join_with_non_tenant_table",
	 "SELECT * FROM orders o JOIN countries k ON k.code = 'x' WHERE o.tenant_id = $1", ""},
	// ---- sub-queries ---------------------------------------------------------------
	{"in_subquery_both_constrained",
	 "SELECT * FROM customers WHERE tenant_id = $1 AND id IN "
	 "(SELECT customer_id FROM orders WHERE tenant_id = $1)",
	 ""},
	{"in_subquery_unconstrained",
	 "SELECT * FROM customers WHERE tenant_id = $1 AND id IN (SELECT customer_id FROM orders)",
	 kMissing},
	{"exists_correlated_on_tenant",
	 "SELECT * FROM customers c WHERE c.tenant_id = $1 AND EXISTS "
	 "(SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.tenant_id = c.tenant_id)",
	 ""},
	{"exists_correlated_outer_unconstrained",
	 "SELECT * FROM customers c WHERE EXISTS "
	 "(SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.tenant_id = c.tenant_id)",
	 "missing-tenant-predicate,missing-tenant-predicate"},
	{"exists_correlated_unqualified_outer",
	 "SELECT * FROM customers c WHERE c.tenant_id = $1 AND NOT EXISTS "
	 "(SELECT 1 FROM countries k WHERE k.code = c.name)",
	 ""},
	{"scalar_subquery_in_select_list",
	 "SELECT c.id, (SELECT count(*) FROM orders o WHERE o.tenant_id = c.tenant_id) "
	 "FROM customers c WHERE c.tenant_id = $1",
	 ""},
	{"scalar_subquery_in_select_list_missing",
	 "SELECT c.id, (SELECT count(*) FROM orders o) FROM customers c WHERE c.tenant_id = $1",
	 kMissing},
	{"subquery_in_from_constrained",
	 "SELECT * FROM (SELECT * FROM orders WHERE tenant_id = $1) AS x", ""},
	{"subquery_in_from_filtered_outside",
	 "SELECT * FROM (SELECT * FROM orders) AS x WHERE x.tenant_id = $1", kMissing},
	{"lateral_correlated",
	 "SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.tenant_id = c.tenant_id "
	 "AND o.customer_id = c.id) x WHERE c.tenant_id = $1",
	 ""},
	{"lateral_uncorrelated_missing",
	 "SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.id) x "
	 "WHERE c.tenant_id = $1",
	 kMissing},
	{"subquery_in_having",
	 "SELECT customer_id FROM orders WHERE tenant_id = $1 GROUP BY customer_id "
	 "HAVING count(*) > (SELECT count(*) FROM customers WHERE tenant_id = $1)",
	 ""},
	{"subquery_in_having_missing",
	 "SELECT customer_id FROM orders WHERE tenant_id = $1 GROUP BY customer_id "
	 "HAVING count(*) > (SELECT count(*) FROM customers)",
	 kMissing},
	{"subquery_in_case",
	 "SELECT CASE WHEN EXISTS (SELECT 1 FROM orders) THEN 1 END", kMissing},
	{"subquery_in_function_argument",
	 "SELECT coalesce((SELECT max(total) FROM orders WHERE tenant_id = $1), 0)", ""},
	// ---- WITH ------------------------------------------------------------------------
	{"cte_constrained",
	 "WITH recent AS (SELECT * FROM orders WHERE tenant_id = $1) SELECT * FROM recent", ""},
	{"cte_unconstrained",
	 "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent", kMissing},
	{"cte_name_shadows_table", "WITH orders AS (SELECT 1 AS id) SELECT * FROM orders", ""},
	{"cte_recursive_term_missing",
	 "WITH RECURSIVE tree AS (SELECT id FROM customers WHERE tenant_id = $1 "
	 "UNION ALL SELECT c.id FROM customers c JOIN tree t ON t.id = c.id) SELECT * FROM tree",
	 kMissing},
	{"cte_data_modifying_constrained",
	 "WITH gone AS (DELETE FROM orders WHERE tenant_id = $1 RETURNING id) SELECT * FROM gone", ""},
	{"cte_data_modifying_missing",
	 "WITH moved AS (UPDATE orders SET total = 0 RETURNING id) SELECT * FROM moved", kMissing},
	{"cte_in_insert",
	 "WITH src AS (SELECT * FROM orders) INSERT INTO countries SELECT 'x', 'y' FROM src", kMissing},
	// ---- set operations ------------------------------------------------------------
	{"union_both_constrained",
	 "SELECT id FROM orders WHERE tenant_id = $1 UNION SELECT id FROM customers WHERE tenant_id = $1",
	 ""},
	{"union_branch_missing",
	 "SELECT id FROM orders WHERE tenant_id = $1 UNION ALL SELECT id FROM customers", kMissing},
	{"intersect_branch_missing",
	 "SELECT id FROM orders INTERSECT SELECT id FROM customers WHERE tenant_id = $1", kMissing},
	{"except_branch_missing",
	 "SELECT id FROM orders WHERE tenant_id = $1 EXCEPT SELECT id FROM customers", kMissing},
	// ---- INSERT --------------------------------------------------------------------
	{"insert_with_param", "INSERT INTO customers (id, tenant_id, name) VALUES ($1, $2, $3)", ""},
	{"insert_without_tenant_column", "INSERT INTO customers (id, name) VALUES ($1, $2)",
	 "insert-without-tenant"},
	{"insert_without_tenant_into_protected", "INSERT INTO protected_notes (id, body) VALUES (1, $1)",
	 ""},
	{"insert_into_schema_protected_table", "INSERT INTO app.things (id) VALUES (1)", ""},
	{"insert_literal_tenant",
	 "INSERT INTO customers (id, tenant_id) VALUES (1, 'aaaaaaaa-0000-0000-0000-000000000001')",
	 "hard-coded-tenant"},
	{"insert_current_setting",
	 "INSERT INTO customers (id, tenant_id) VALUES (1, current_setting('app.tenant_id')::uuid)", ""},
	{"insert_select_from_constrained_source",
	 "INSERT INTO line_items (order_id, tenant_id, sku) "
	 "SELECT o.id, o.tenant_id, 'x' FROM orders o WHERE o.tenant_id = $1",
	 ""},
	{"insert_select_from_unconstrained_source",
	 "INSERT INTO line_items (order_id, tenant_id, sku) SELECT o.id, o.tenant_id, 'x' FROM orders o",
	 "insert-without-tenant,missing-tenant-predicate"},
	{"insert_select_param_from_non_tenant_table",
	 "INSERT INTO line_items (tenant_id, sku) SELECT $1, code FROM countries", ""},
	{"insert_default_into_unprotected",
	 "INSERT INTO customers (id, tenant_id) VALUES (1, DEFAULT)", "insert-without-tenant"},
	{"insert_default_into_protected",
	 "INSERT INTO protected_notes (id, tenant_id) VALUES (1, DEFAULT)", ""},
	{"insert_without_column_list", "INSERT INTO customers VALUES (1, $1, 'x')", ""},
	{"insert_without_column_list_wrong_position", "INSERT INTO customers VALUES ($1, now(), 'x')",
	 "insert-without-tenant"},
	{"insert_several_rows", "INSERT INTO customers (id, tenant_id) VALUES (1, $1), (2, $1)", ""},
	{"insert_several_rows_one_wrong",
	 "INSERT INTO customers (id, tenant_id) VALUES (1, $1), (2, gen_random_uuid())",
	 "insert-without-tenant"},
	{"insert_non_tenant_table", "INSERT INTO countries VALUES ('x', 'y')", ""},
	{"upsert_conflict_target_has_tenant",
	 "INSERT INTO customers (id, tenant_id, name) VALUES ($1, $2, $3) "
	 "ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name",
	 ""},
	{"upsert_conflict_target_without_tenant",
	 "INSERT INTO customers (id, tenant_id, name) VALUES ($1, $2, $3) "
	 "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
	 "upsert-crosses-tenants"},
	{"upsert_where_keeps_tenant",
	 "INSERT INTO customers AS c (id, tenant_id, name) VALUES ($1, $2, $3) "
	 "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name WHERE c.tenant_id = EXCLUDED.tenant_id",
	 ""},
	{"upsert_do_nothing",
	 "INSERT INTO customers (id, tenant_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", ""},
	{"upsert_on_constraint_is_not_judged",
	 "INSERT INTO customers (id, tenant_id) VALUES ($1, $2) "
	 "ON CONFLICT ON CONSTRAINT customers_pkey DO UPDATE SET name = 'x'",
	 ""},
	{"insert_returning_subquery_missing",
	 "INSERT INTO customers (id, tenant_id) VALUES ($1, $2) "
	 "RETURNING (SELECT count(*) FROM orders)",
	 kMissing},
	// ---- UPDATE --------------------------------------------------------------------
	{"update_constrained", "UPDATE orders SET total = 0 WHERE tenant_id = $1 AND id = $2", ""},
	{"update_missing", "UPDATE orders SET total = 0 WHERE id = $1", kMissing},
	{"update_from_both_constrained",
	 "UPDATE orders o SET total = 0 FROM customers c "
	 "WHERE o.tenant_id = $1 AND c.tenant_id = $1 AND c.id = o.customer_id",
	 ""},
	{"update_from_source_missing",
	 "UPDATE orders o SET total = 0 FROM customers c WHERE o.tenant_id = $1 AND c.id = o.customer_id",
	 kMissing},
	{"update_from_propagates",
	 "UPDATE orders o SET total = 0 FROM customers c "
	 "WHERE o.tenant_id = $1 AND c.tenant_id = o.tenant_id AND c.id = o.customer_id",
	 ""},
	{"update_set_subquery_missing",
	 "UPDATE customers SET name = (SELECT max(sku) FROM line_items) WHERE tenant_id = $1",
	 kMissing},
	{"update_predicate_on_other_alias",
	 "UPDATE orders o SET total = 0 FROM customers c WHERE c.tenant_id = $1 AND c.id = o.customer_id",
	 kMissing},
	{"update_non_tenant_table", "UPDATE countries SET name = 'x'", ""},
	// ---- DELETE --------------------------------------------------------------------
	{"delete_constrained", "DELETE FROM orders WHERE tenant_id = $1 AND id = $2", ""},
	{"delete_missing", "DELETE FROM orders WHERE id = $1", kMissing},
	{"delete_using_propagates",
	 "DELETE FROM orders o USING customers c "
	 "WHERE c.tenant_id = $1 AND o.tenant_id = c.tenant_id AND o.customer_id = c.id",
	 ""},
	{"delete_using_missing",
	 "DELETE FROM orders o USING customers c WHERE o.tenant_id = $1 AND o.customer_id = c.id",
	 kMissing},
	{"delete_returning", "DELETE FROM orders WHERE tenant_id = $1 RETURNING id", ""},
	// ---- MERGE ---------------------------------------------------------------------
	{"merge_constrained",
	 "MERGE INTO customers t USING (SELECT * FROM orders WHERE tenant_id = $1) s "
	 "ON t.id = s.customer_id AND t.tenant_id = $1 WHEN MATCHED THEN UPDATE SET name = 'x'",
	 ""},
	{"merge_target_missing",
	 "MERGE INTO customers t USING (VALUES (1)) s(id) ON t.id = s.id "
	 "WHEN MATCHED THEN UPDATE SET name = 'x'",
	 kMissing},
	{"merge_source_table_missing",
	 "MERGE INTO customers t USING orders s ON t.id = s.customer_id AND t.tenant_id = $1 "
	 "WHEN MATCHED THEN DELETE",
	 kMissing},
	{"merge_source_propagates",
	 "MERGE INTO customers t USING orders s ON t.id = s.customer_id AND t.tenant_id = $1 "
	 "AND s.tenant_id = t.tenant_id WHEN MATCHED THEN DELETE",
	 ""},
	// ---- COPY and TRUNCATE ---------------------------------------------------------
	{"copy_table_to", "COPY orders TO STDOUT", "copy-tenant-table"},
	{"copy_table_from_stdin", "COPY orders FROM STDIN;\n1\t2\t3\n\\.\nSELECT 1;",
	 "copy-tenant-table"},
	{"copy_query_constrained",
	 "COPY (SELECT * FROM orders WHERE tenant_id = current_setting('app.tenant_id')::uuid) TO STDOUT",
	 ""},
	{"copy_query_missing", "COPY (SELECT * FROM orders) TO STDOUT", kMissing},
	{"copy_non_tenant_table", "COPY countries TO STDOUT", ""},
	{"truncate_tenant_table", "TRUNCATE orders", "truncate-tenant-table"},
	{"truncate_several", "TRUNCATE countries, customers", "truncate-tenant-table"},
	{"truncate_non_tenant_table", "TRUNCATE countries", ""},
	// ---- other statements that read ------------------------------------------------
	{"explain", "EXPLAIN ANALYZE SELECT * FROM orders", kMissing},
	{"create_view", "CREATE VIEW all_orders AS SELECT * FROM orders", kMissing},
	{"create_table_as", "CREATE TABLE snapshot AS SELECT id FROM orders", kMissing},
	{"declare_cursor", "DECLARE cur CURSOR FOR SELECT * FROM orders", kMissing},
	{"prepare_missing", "PREPARE q AS SELECT * FROM orders", kMissing},
	{"prepare_constrained", "PREPARE q(uuid) AS SELECT * FROM orders WHERE tenant_id = $1", ""},
	// ---- migrations ----------------------------------------------------------------
	{"create_tenant_table_unprotected", "CREATE TABLE notes (id int, tenant_id uuid)",
	 "unprotected-tenant-table"},
	{"create_tenant_table_protected",
	 "CREATE TABLE notes (id int, tenant_id uuid); SELECT tenant_guard.protect('notes');", ""},
	{"create_tenant_table_protected_named_args",
	 "CREATE TABLE notes (id int, tenant_id uuid); "
	 "SELECT tenant_guard.protect(tbl => 'public.notes', create_index => true);",
	 ""},
	{"create_tenant_table_protected_other_column",
	 "CREATE TABLE notes (id int, org uuid); SELECT tenant_guard.protect('notes', 'org'); "
	 "SELECT * FROM notes;",
	 kMissing},
	{"create_table_without_tenant_column", "CREATE TABLE lookup (id int, label text)", ""},
	{"create_in_protected_schema", "CREATE TABLE app.more (id int, tenant_id uuid)", ""},
	{"create_partition_of_protected_parent",
	 "CREATE TABLE notes_2026 PARTITION OF protected_notes FOR VALUES FROM (1) TO (9)", ""},
	{"create_temp_table", "CREATE TEMP TABLE scratch (tenant_id uuid)", ""},
	{"alter_add_tenant_column",
	 "CREATE TABLE notes2 (id int); ALTER TABLE notes2 ADD COLUMN tenant_id uuid; "
	 "SELECT * FROM notes2;",
	 "unprotected-tenant-table,missing-tenant-predicate"},
	{"create_like_copies_tenant_column",
	 "CREATE TABLE orders_archive (LIKE orders); SELECT * FROM orders_archive;",
	 "unprotected-tenant-table,missing-tenant-predicate"},
	{"disable_rls", "ALTER TABLE orders DISABLE ROW LEVEL SECURITY", "rls-disabled"},
	{"no_force_rls", "ALTER TABLE orders NO FORCE ROW LEVEL SECURITY", "rls-disabled"},
	{"enable_and_force_rls",
	 "ALTER TABLE orders ENABLE ROW LEVEL SECURITY; ALTER TABLE orders FORCE ROW LEVEL SECURITY;",
	 ""},
	{"regression_comment_before_create_table",
	 "-- notes per customer\nCREATE TABLE notes (id int, tenant_id uuid);", "unprotected-tenant-table"},
	{"regression_comment_before_protect",
	 "CREATE TABLE notes (id int, tenant_id uuid);\n-- protect it\nSELECT tenant_guard.protect('notes');",
	 ""},
	// ---- the tenant setting --------------------------------------------------------
	{"set_session_tenant", "SET app.tenant_id = 'acme'", "session-tenant-setting"},
	{"set_session_keyword", "SET SESSION app.tenant_id = 'acme'", "session-tenant-setting"},
	{"set_local_tenant", "SET LOCAL app.tenant_id = 'acme'", ""},
	{"set_other_setting", "SET search_path = app, public", ""},
	{"set_config_session", "SELECT set_config('app.tenant_id', $1, false)",
	 "session-tenant-setting"},
	{"set_config_local", "SELECT set_config('app.tenant_id', $1, true)", ""},
	{"set_config_in_where",
	 "SELECT 1 FROM countries WHERE set_config('app.tenant_id', $1, false) IS NOT NULL",
	 "session-tenant-setting"},
	{"reset_tenant", "RESET app.tenant_id", ""},
	// ---- function bodies -----------------------------------------------------------
	{"plpgsql_param_predicate",
	 "CREATE FUNCTION n(p_tenant uuid) RETURNS bigint LANGUAGE plpgsql AS $$\n"
	 "DECLARE n bigint;\nBEGIN\n  SELECT count(*) INTO n FROM orders WHERE tenant_id = p_tenant;\n"
	 "  RETURN n;\nEND $$;",
	 ""},
	{"plpgsql_missing_predicate",
	 "CREATE FUNCTION n() RETURNS bigint LANGUAGE plpgsql AS $$\n"
	 "DECLARE n bigint;\nBEGIN\n  SELECT count(*) INTO n FROM orders;\n  RETURN n;\nEND $$;",
	 kMissing},
	{"plpgsql_assignment_subquery",
	 "CREATE FUNCTION n() RETURNS bigint LANGUAGE plpgsql AS $$\nDECLARE n bigint;\nBEGIN\n"
	 "  n := (SELECT count(*) FROM orders);\n  RETURN n;\nEND $$;",
	 kMissing},
	{"plpgsql_declared_variable",
	 "CREATE FUNCTION n() RETURNS void LANGUAGE plpgsql AS $$\n"
	 "DECLARE t uuid := current_setting('app.tenant_id')::uuid;\nBEGIN\n"
	 "  UPDATE orders SET total = 0 WHERE tenant_id = t;\nEND $$;",
	 ""},
	{"plpgsql_perform",
	 "CREATE FUNCTION n() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
	 "  PERFORM 1 FROM orders;\nEND $$;",
	 kMissing},
	{"plpgsql_return_query",
	 "CREATE FUNCTION n() RETURNS SETOF orders LANGUAGE plpgsql AS $$\nBEGIN\n"
	 "  RETURN QUERY SELECT * FROM orders;\nEND $$;",
	 kMissing},
	{"plpgsql_expression_without_tables",
	 "CREATE FUNCTION n(a int) RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n"
	 "  IF a > 1 THEN RETURN a; END IF;\n  RETURN 0;\nEND $$;",
	 ""},
	{"plpgsql_dynamic_sql_is_opaque",
	 "CREATE FUNCTION n() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
	 "  EXECUTE 'DELETE FROM orders';\nEND $$;",
	 ""},
	{"plpgsql_session_set_config",
	 "CREATE FUNCTION n(t text) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
	 "  PERFORM set_config('app.tenant_id', t, false);\nEND $$;",
	 "session-tenant-setting"},
	{"do_block_missing", "DO $$\nBEGIN\n  DELETE FROM orders WHERE id = 1;\nEND $$;", kMissing},
	{"do_block_constrained",
	 "DO $$\nBEGIN\n  DELETE FROM orders WHERE tenant_id = current_setting('app.tenant_id')::uuid;\n"
	 "END $$;",
	 ""},
	{"sql_function_named_param",
	 "CREATE FUNCTION n(p_tenant uuid) RETURNS bigint LANGUAGE sql AS $$\n"
	 "  SELECT count(*) FROM orders WHERE tenant_id = p_tenant\n$$;",
	 ""},
	{"sql_function_positional_param",
	 "CREATE FUNCTION n(uuid) RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders WHERE "
	 "tenant_id = $1';",
	 ""},
	{"sql_function_missing",
	 "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders $$;",
	 kMissing},
	{"sql_function_begin_atomic_missing",
	 "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM orders; END;",
	 kMissing},
	{"sql_function_begin_atomic_constrained",
	 "CREATE FUNCTION n(p uuid) RETURNS bigint LANGUAGE sql BEGIN ATOMIC "
	 "SELECT count(*) FROM orders WHERE tenant_id = p; END;",
	 ""},
	{"sql_procedure_missing",
	 "CREATE PROCEDURE purge() LANGUAGE sql AS $$ DELETE FROM orders $$;", kMissing},
	// ---- psql scripts --------------------------------------------------------------
	{"psql_meta_commands_are_skipped",
	 "\\set ON_ERROR_STOP 1\n\\echo hello\nSELECT * FROM orders WHERE tenant_id = $1;\n\\q\n", ""},
	{"psql_gset_ends_a_query",
	 "SELECT count(*) AS n FROM orders \\gset\nSELECT * FROM countries;", kMissing},
	{"psql_copy_data_is_skipped",
	 "COPY countries FROM STDIN;\nno\tsql here ; at all\n\\.\nSELECT * FROM orders;", kMissing},
	// ---- robustness ----------------------------------------------------------------
	{"parse_error_then_more", "SELEC broken;\nSELECT * FROM orders;", "parse-error," "missing-tenant-predicate"},
	{"unterminated_string", "SELECT * FROM orders WHERE tenant_id = 'abc", "parse-error"},
	{"unterminated_dollar_quote", "SELECT $$abc", "parse-error"},
	{"empty_file", "", "empty-file"},
	{"comments_only", "-- nothing\n/* here */\n", "empty-file"},
	{"semicolons_only", ";;;", "empty-file"},
	{"rule_in_parentheses_keeps_semicolons",
	 "CREATE RULE r AS ON INSERT TO countries DO ALSO (SELECT 1; SELECT 2);", ""},
};

} // namespace

BOOST_AUTO_TEST_SUITE(rule_cases)

BOOST_DATA_TEST_CASE(expected_rules, boost::unit_test::data::make(kCases), c)
{
	std::vector<tlint::Finding> findings = tlint::test::Lint(c.sql);
	BOOST_TEST_INFO("case " << c.name);
	BOOST_TEST(tlint::test::RuleList(findings) == std::string(c.expected));
}

BOOST_AUTO_TEST_SUITE_END()
