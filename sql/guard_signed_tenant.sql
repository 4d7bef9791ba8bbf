-- Signed tenant context: tenant_guard.set_tenant(token). The test cluster has
-- two keys, test1 and test2 (scripts/test.sh), as during a key rotation.
CREATE EXTENSION tenant_guard;
CREATE EXTENSION pgcrypto;
CREATE ROLE regress_tg_app;
CREATE ROLE regress_tg_ops;
CREATE TABLE notes (id int, tenant_id text NOT NULL, body text);
SELECT tenant_guard.protect('notes', create_index => true);
GRANT SELECT, INSERT ON notes TO regress_tg_app, regress_tg_ops;
BEGIN;
SET LOCAL app.tenant_id = 'acme';
INSERT INTO notes VALUES (1, 'acme', 'a');
SET LOCAL app.tenant_id = 'globex';
INSERT INTO notes VALUES (2, 'globex', 'g');
COMMIT;

-- The keys are hidden from ordinary roles.
SET ROLE regress_tg_app;
SHOW tenant_guard.signing_keys;
RESET ROLE;

-- What an application server does to mint a token, here in SQL with pgcrypto
-- (docs/functions/set_tenant.md has the same in Python and Node.js).
CREATE FUNCTION b64url(bytes bytea) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT rtrim(translate(encode(bytes, 'base64'), E'+/\n', '-_'), '=') $$;
CREATE FUNCTION app_token(tenant text, expires bigint, kid text, secret bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT body || '.' || b64url(hmac(convert_to(body, 'UTF8'), secret, 'sha256'))
	  FROM (SELECT 'v1.' || kid || '.' || expires || '.' || b64url(convert_to(tenant, 'UTF8'))
	               AS body) AS b
$$;
CREATE TABLE tokens AS SELECT
	app_token('acme', extract(epoch FROM now())::bigint + 300, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS acme,
	app_token('globex', extract(epoch FROM now())::bigint + 300, 'test2', convert_to(repeat('b', 32), 'UTF8')) AS globex_new_key,
	app_token('acme', extract(epoch FROM now())::bigint - 10, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS expired,
	app_token('acme', extract(epoch FROM now())::bigint + 300, 'test1', convert_to(repeat('x', 32), 'UTF8')) AS wrong_secret,
	app_token('acme', extract(epoch FROM now())::bigint + 300, 'old', convert_to(repeat('a', 32), 'UTF8')) AS unknown_key,
	app_token(E'ac\nme', extract(epoch FROM now())::bigint + 300, 'test1', convert_to(repeat('a', 32), 'UTF8')) AS bad_tenant,
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
SELECT tenant_guard.set_tenant('v1.test1.99999999999.YWNtZQ.bm90LWEtbWFj');
SELECT tenant_guard.set_tenant('not a token');
SELECT tenant_guard.set_tenant(replace(acme, 'YWNtZQ', 'Z2xvYmV4')) FROM tokens;
SELECT tenant_guard.current_tenant() IS NULL AS nothing_set;
-- Minting is for superusers (and the application server).
SELECT tenant_guard.mint_token('acme');
RESET ROLE;
SELECT tenant_guard.mint_token('acme', '-1 minute');
SELECT tenant_guard.mint_token('acme', '1 minute', 'nope');

-- require_signed: non-exempt roles can set the tenant only with a token.
SET tenant_guard.require_signed = on;
SET tenant_guard.exempt_roles = 'regress_tg_ops';
SET ROLE regress_tg_app;
BEGIN;
SET LOCAL app.tenant_id = 'globex';
ROLLBACK;
BEGIN;
SELECT set_config('app.tenant_id', 'globex', true);
ROLLBACK;
BEGIN;
SELECT tenant_guard.set_tenant(acme) FROM tokens;
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

DROP TABLE notes, tokens;
DROP FUNCTION app_token(text, bigint, text, bytea);
DROP FUNCTION b64url(bytea);
DROP EXTENSION pgcrypto;
DROP EXTENSION tenant_guard;
DROP ROLE regress_tg_app;
DROP ROLE regress_tg_ops;
