-- Holdable cursors keep their rows after COMMIT, where a later transaction
-- with no tenant of its own (behind a pooler, another client's) could read
-- them: for application roles they are refused over protected tables, on
-- every path (DECLARE ... WITH HOLD, through a function, a procedure's FOR
-- loop that commits).
CREATE EXTENSION tenant_guard;
CREATE TABLE accounts (id int, tenant_id text NOT NULL, name text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.create_app_role('regress_tg_cursor_app');
INSERT INTO accounts VALUES (1, 'acme', 'Wile'), (2, 'acme', 'Road'), (3, 'globex', 'Hank');
-- PL/pgSQL, so that the planner cannot inline it into the cursor's query.
CREATE FUNCTION account_names() RETURNS SETOF text LANGUAGE plpgsql STABLE
	AS 'BEGIN RETURN QUERY SELECT name FROM accounts ORDER BY id; END';
CREATE PROCEDURE list_names(tenant text) LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
	PERFORM set_config('app.tenant_id', tenant, true);
	FOR r IN SELECT name FROM accounts ORDER BY id LOOP
		COMMIT;
		RAISE NOTICE 'after commit: %', r.name;
	END LOOP;
END $$;
GRANT EXECUTE ON PROCEDURE list_names(text) TO regress_tg_cursor_app;

SET ROLE regress_tg_cursor_app;
-- DECLARE ... WITH HOLD over a protected table is refused at once.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
DECLARE c CURSOR WITH HOLD FOR SELECT name FROM accounts;
ROLLBACK;
-- Through a function the table is only read when the rows are stored, at
-- COMMIT: the COMMIT fails and nothing is left to FETCH.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
DECLARE c CURSOR WITH HOLD FOR SELECT * FROM account_names();
COMMIT;
FETCH ALL FROM c;
SELECT count(*) AS open_cursors FROM pg_cursors;
-- A procedure's loop that commits would hold its rows the same way.
CALL list_names('acme');
-- DO blocks too.
DO $$
DECLARE r record;
BEGIN
	PERFORM set_config('app.tenant_id', 'acme', true);
	FOR r IN SELECT name FROM accounts LOOP
		COMMIT;
		RAISE NOTICE 'after commit: %', r.name;
	END LOOP;
END $$;
-- Cursors without hold, and holdable cursors over other tables, still work.
BEGIN;
SET LOCAL app.tenant_id = 'acme';
DECLARE c CURSOR FOR SELECT name FROM accounts ORDER BY id;
FETCH ALL FROM c;
COMMIT;
BEGIN;
DECLARE h CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g;
COMMIT;
FETCH ALL FROM h;
CLOSE h;
RESET ROLE;

-- Exempt roles (the superuser here) may hold cursors.
BEGIN;
DECLARE s CURSOR WITH HOLD FOR SELECT count(*) FROM accounts;
COMMIT;
FETCH ALL FROM s;
CLOSE s;

DROP PROCEDURE list_names(text);
DROP FUNCTION account_names();
DROP TABLE accounts;
DROP EXTENSION tenant_guard;
DROP OWNED BY regress_tg_cursor_app;
DROP ROLE regress_tg_cursor_app;
