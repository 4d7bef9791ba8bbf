-- Signed tenant context: tenant_guard.set_tenant(token). The test cluster has
-- two keys, test1 and test2, in its key file (install_signing_keys in
-- scripts/lib.sh), as during a key rotation.
CREATE EXTENSION tenant_guard;
CREATE EXTENSION pgcrypto;
CREATE ROLE regress_tg_app;
CREATE ROLE regress_tg_ops;
CREATE ROLE regress_tg_monitor IN ROLE pg_read_all_settings, pg_monitor;
CREATE TABLE notes (id int, tenant_id text NOT NULL, body text);
SELECT tenant_guard.protect('notes', create_index => true);
GRANT SELECT, INSERT ON notes TO regress_tg_app, regress_tg_ops;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO notes VALUES (1, 'acme', 'a');
SET LOCAL app.tenant_id = 'globex';
INSERT INTO notes VALUES (2, 'globex', 'g');
COMMIT;

-- No role but a superuser can learn the keys through SQL: the settings name
-- a file, and pg_read_all_settings / pg_monitor see the name only.
SET ROLE regress_tg_monitor;
SHOW tenant_guard.signing_keys_file;
SELECT name, setting FROM pg_settings
 WHERE name LIKE 'tenant\_guard.sign%' OR name LIKE 'tenant\_guard.token%' ORDER BY name;
SELECT count(*) AS settings_holding_a_key FROM pg_settings
 WHERE setting LIKE '%YWFhYWFh%' OR setting LIKE '%YmJiYmJi%' OR reset_val LIKE '%YWFhYWFh%';
SELECT current_setting('tenant_guard.signing_keys', true) AS inline_keys;
SELECT pg_read_file(current_setting('tenant_guard.signing_keys_file'));
RESET ROLE;

-- What an application server does to mint a token, here in SQL with pgcrypto
-- (docs/functions/set_tenant.md has the same in Python and Node.js).
CREATE FUNCTION b64url(bytes bytea) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT rtrim(translate(encode(bytes, 'base64'), E'+/\n', '-_'), '=') $$;
CREATE FUNCTION app_token(tenant text, lifetime int, kid text, secret bytea,
                          audience text = current_database(), version text = 'v2') RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT body || '.' || b64url(hmac(convert_to(body, 'UTF8'), secret, 'sha256'))
	  FROM (SELECT CASE version
	               WHEN 'v1' THEN concat_ws('.', 'v1', kid, extract(epoch FROM now())::bigint + lifetime,
	                                        b64url(convert_to(tenant, 'UTF8')))
	               ELSE concat_ws('.', 'v2', kid, extract(epoch FROM now())::bigint + lifetime,
	                              b64url(convert_to(audience, 'UTF8')), b64url(convert_to(tenant, 'UTF8')),
	                              b64url(gen_random_bytes(16)))
	               END AS body) AS b
$$;
CREATE TABLE tokens AS SELECT
	app_token('acme', 60, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS acme,
	app_token('acme', 60, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS acme_again,
	app_token('acme', 60, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS acme_signed,
	app_token('globex', 60, 'test2', convert_to(repeat('b', 32), 'UTF8')) AS globex_new_key,
	app_token('acme', -10, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS expired,
	app_token('acme', 3600, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS too_long,
	app_token('acme', 60, 'test1', convert_to(repeat('a', 32), 'UTF8'), 'other_database') AS other_database,
	app_token('acme', 60, 'test1', convert_to(repeat('a', 32), 'UTF8'), version => 'v1') AS v1,
	app_token('acme', 60, 'test1', convert_to(repeat('x', 32), 'UTF8')) AS wrong_secret,
	app_token('acme', 60, 'old', convert_to(repeat('a', 32), 'UTF8')) AS unknown_key,
	app_token(E'ac\nme', 60, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS bad_tenant,
	tenant_guard.mint_token('globex') AS minted;
GRANT SELECT ON tokens TO regress_tg_app, regress_tg_ops;

SET ROLE regress_tg_app;
-- A valid token sets the tenant for this transaction only.
BEGIN;
SELECT tenant_guard.set_tenant(acme) FROM tokens;
SELECT id, tenant_id FROM notes;
COMMIT;
SELECT tenant_guard.current_tenant() IS NULL AS gone_after_commit;
-- Both keys verify during a rotation; mint_token signs with the first.
BEGIN;
SELECT tenant_guard.set_tenant(globex_new_key) FROM tokens;
SELECT tenant_guard.set_tenant(minted) FROM tokens;
SELECT id, tenant_id FROM notes;
ROLLBACK;
-- Every refusal is an error, and nothing is set.
-- (terse: the detail names the expiry time, which differs on every run)
\set VERBOSITY terse
BEGIN;
SELECT tenant_guard.set_tenant(expired) FROM tokens;
ROLLBACK;
BEGIN;
SELECT tenant_guard.set_tenant(too_long) FROM tokens;
ROLLBACK;
\set VERBOSITY default
BEGIN;
SELECT tenant_guard.set_tenant(wrong_secret) FROM tokens;
ROLLBACK;
BEGIN;
SELECT tenant_guard.set_tenant(unknown_key) FROM tokens;
ROLLBACK;
BEGIN;
SELECT tenant_guard.set_tenant(bad_tenant) FROM tokens;
ROLLBACK;
SELECT tenant_guard.set_tenant('v2.test1.99999999999.YQ.YWNtZQ.bm9uY2Utbm9uY2Utbm9u.bm90LWEtbWFj');
SELECT tenant_guard.set_tenant('not a token');
SELECT tenant_guard.set_tenant(replace(acme_signed, 'YWNtZQ', 'Z2xvYmV4')) FROM tokens;
SELECT tenant_guard.current_tenant() IS NULL AS nothing_set;

-- Replay: a token is accepted once, by the first backend that presents it;
-- a token read from pg_stat_activity.query (or a log) after that is useless.
-- (terse: the detail names the pid of the backend that used it first)
\set VERBOSITY terse
BEGIN;
SELECT tenant_guard.set_tenant(acme) FROM tokens;
ROLLBACK;
\c -
SET ROLE regress_tg_app;
-- Another session of the same role (the detail names the first backend's pid).
BEGIN;
SELECT tenant_guard.set_tenant(acme) FROM tokens;
ROLLBACK;
\set VERBOSITY default
-- One token per transaction: a fresh one works in the new session.
BEGIN;
SELECT tenant_guard.set_tenant(acme_again) FROM tokens;
SELECT id, tenant_id FROM notes;
COMMIT;
-- A token names its database: one signed for another database that shares
-- the key is refused here.
BEGIN;
SELECT tenant_guard.set_tenant(other_database) FROM tokens;
ROLLBACK;
-- v1 tokens (no database, no nonce) are refused.
SELECT tenant_guard.set_tenant(v1) FROM tokens;
-- Minting is for superusers (and the application server).
SELECT tenant_guard.mint_token('acme');
RESET ROLE;
SELECT tenant_guard.mint_token('acme', '-1 minute');
SELECT tenant_guard.mint_token('acme', '1 minute', 'nope');
SELECT tenant_guard.mint_token('acme', '1 hour');
SELECT tenant_guard.mint_token('acme') <> tenant_guard.mint_token('acme') AS every_token_differs;

-- require_signed: non-exempt roles can set the tenant only with a token.
SET tenant_guard.require_signed = on;
SET tenant_guard.exempt_roles = 'regress_tg_ops';
CREATE TABLE signed_tokens AS SELECT tenant_guard.mint_token('acme') AS acme;
GRANT SELECT ON signed_tokens TO regress_tg_app;
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'globex';
ROLLBACK;
BEGIN;
SELECT set_config('app.tenant_id', 'globex', true);
ROLLBACK;
BEGIN;
SELECT tenant_guard.set_tenant(acme) FROM signed_tokens;
SELECT id, tenant_id FROM notes;
COMMIT;
RESET ROLE;
SET ROLE regress_tg_ops;
BEGIN;
SET LOCAL app.tenant_id = 'globex';
SELECT id, tenant_id FROM notes;
COMMIT;
RESET ROLE;
RESET tenant_guard.require_signed;
RESET tenant_guard.exempt_roles;

-- A key file that others can read is refused (keys that others may have read
-- must be replaced), and check() reports it.
DO $$ BEGIN
	EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
	               'cat >/dev/null && chmod 0644 ' || current_setting('tenant_guard.signing_keys_file'));
END $$;
SELECT severity, code, object, message FROM tenant_guard.check() WHERE code = 'signing-keys-readable';
SELECT tenant_guard.mint_token('acme');
DO $$ BEGIN
	EXECUTE format('COPY (SELECT 1) TO PROGRAM %L',
	               'cat >/dev/null && chmod 0600 ' || current_setting('tenant_guard.signing_keys_file'));
END $$;
SELECT count(*) AS findings FROM tenant_guard.check() WHERE code = 'signing-keys-readable';
SELECT length(tenant_guard.mint_token('acme')) > 0 AS minted_again;

-- The ledger of used tokens is fixed in size: when it is full of unexpired
-- tokens, set_tenant fails closed (53400); expired tokens make room again.
-- (The test clusters keep 4096 tokens, scripts/cluster.sh: filling them takes
-- well under the 2 to 3 seconds that the tokens below live.)
DO $$
DECLARE
	accepted int := 0;
BEGIN
	FOR i IN 1 .. current_setting('tenant_guard.token_ledger_size')::int + 1 LOOP
		PERFORM tenant_guard.set_tenant(tenant_guard.mint_token('acme', '3 seconds'));
		accepted := accepted + 1;
	END LOOP;
	RAISE NOTICE 'the ledger never filled';
EXCEPTION WHEN configuration_limit_exceeded THEN
	RAISE NOTICE 'refused after % tokens: %', CASE WHEN accepted > 0 THEN 'some' ELSE 'no' END, SQLERRM;
END $$;
SELECT pg_sleep(3.1);
BEGIN;
SELECT tenant_guard.set_tenant(tenant_guard.mint_token('acme', '3 seconds'));
ROLLBACK;

DROP TABLE notes, tokens, signed_tokens;
DROP FUNCTION app_token(text, int, text, bytea, text, text);
DROP FUNCTION b64url(bytea);
DROP EXTENSION pgcrypto;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
DROP ROLE regress_tg_ops;
DROP ROLE regress_tg_monitor;
