-- Secrets (RLS of the schema's own) and domains of the Node.js service.

-- list secret names of an environment
SELECT name FROM secrets WHERE project = $1 AND environment_id = $2 ORDER BY name;

-- read a secret
SELECT ciphertext FROM secrets WHERE project = $1 AND environment_id = $2 AND name = $3;

-- set a secret
INSERT INTO secrets (id, project, environment_id, name, ciphertext)
VALUES (nextval('secrets_id_seq'), $1, $2, $3, $4)
ON CONFLICT (project, environment_id, name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext;

-- delete a secret
DELETE FROM secrets WHERE project = $1 AND environment_id = $2 AND name = $3;

-- copy secrets from one environment to another of the same project
INSERT INTO secrets (id, project, environment_id, name, ciphertext)
SELECT nextval('secrets_id_seq'), s.project, $3, s.name, s.ciphertext
FROM secrets s WHERE s.project = $1 AND s.environment_id = $2
ON CONFLICT (project, environment_id, name) DO NOTHING;

-- secrets count per environment
SELECT e.name, count(s.id) FROM environments e
LEFT JOIN secrets s ON s.environment_id = e.id AND s.project = e.project
WHERE e.project = $1 GROUP BY e.name;

-- the session's project from the setting set per transaction
SELECT name FROM secrets WHERE project = current_setting('app.tenant_id')::uuid;

-- set the project for this transaction only
SELECT set_config('app.tenant_id', $1, true);

-- domains of a project
SELECT hostname, verified FROM domains WHERE project = $1;

-- add a domain
INSERT INTO domains (hostname, project) VALUES ($1, $2);

-- verify
UPDATE domains SET verified = true WHERE project = $1 AND hostname = $2;

-- domains across an organisation's projects
SELECT hostname, project FROM domains WHERE project = ANY($1::uuid[]) ORDER BY hostname;

-- remove a domain
DELETE FROM domains WHERE hostname = $1 AND project = $2;

-- which project serves a hostname: the router's lookup, across projects by design
-- tenant-lint: ignore[missing-tenant-predicate] the edge router maps a hostname to its project
SELECT project FROM domains WHERE hostname = $1 AND verified;

-- secrets of an environment, any project
-- expect: missing-tenant-predicate
SELECT name, ciphertext FROM secrets WHERE environment_id = $1;

-- the upsert's conflict target leaves the project out
-- expect: upsert-crosses-tenants
INSERT INTO secrets (id, project, environment_id, name, ciphertext) VALUES (nextval('secrets_id_seq'), $1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET ciphertext = EXCLUDED.ciphertext;

-- secrets has RLS of its own but no DEFAULT: the row gets no project
-- expect: insert-without-tenant
INSERT INTO secrets (id, environment_id, name, ciphertext) VALUES (nextval('secrets_id_seq'), $1, $2, $3);

-- verify a hostname for whoever owns it
-- expect: missing-tenant-predicate
UPDATE domains SET verified = true WHERE hostname = $1;

-- the count's secrets side is not tied to the project
-- expect: missing-tenant-predicate
SELECT e.name, count(s.id) FROM environments e LEFT JOIN secrets s ON s.environment_id = e.id WHERE e.project = $1 GROUP BY e.name;

-- dump all secrets
-- expect: copy-tenant-table
COPY secrets TO STDOUT;

-- project set for the whole session
-- expect: session-tenant-setting
SET app.tenant_id TO '5b1c0f4e-0000-4000-8000-000000000001';

-- set_config for the session
-- expect: session-tenant-setting
SELECT set_config('app.tenant_id', $1, false);
