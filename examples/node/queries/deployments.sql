-- Queries of a Node.js service (node-postgres, positional $n). Rows belong to
-- a project; an organisation admin's requests carry the set of projects the
-- application allows as $1::uuid[]. A statement labelled with an "expect"
-- comment naming a rule is a real violation.

-- listDeployments(project)
SELECT id, commit_sha, status, created_at FROM deployments WHERE project = $1 ORDER BY created_at DESC LIMIT $2;

-- getDeployment(project, id)
SELECT * FROM deployments WHERE project = $1 AND id = $2;

-- dashboard across the projects an organisation admin may see
SELECT project, count(*) FILTER (WHERE status = 'failed') AS failed, count(*) AS total
FROM deployments WHERE project = ANY($1::uuid[]) AND created_at > now() - interval '1 day'
GROUP BY project;

-- deployments with their environment
SELECT d.id, d.status, e.name AS environment
FROM deployments d JOIN environments e ON e.id = d.environment_id AND e.project = d.project
WHERE d.project = $1;

-- latest deployment per environment
SELECT DISTINCT ON (d.environment_id) d.environment_id, d.id, d.status
FROM deployments d WHERE d.project = $1 ORDER BY d.environment_id, d.created_at DESC;

-- create a deployment
INSERT INTO deployments (id, project, environment_id, commit_sha, status)
VALUES (nextval('deployments_id_seq'), $1, $2, $3, 'queued') RETURNING id;

-- finish
UPDATE deployments SET status = $3, finished_at = now() WHERE project = $1 AND id = $2;

-- cancel queued deployments of an environment
UPDATE deployments SET status = 'cancelled' WHERE project = $1 AND environment_id = $2 AND status = 'queued';

-- retry: copy a failed deployment
INSERT INTO deployments (id, project, environment_id, commit_sha, status)
SELECT nextval('deployments_id_seq'), project, environment_id, commit_sha, 'queued'
FROM deployments WHERE project = $1 AND id = $2 AND status = 'failed';

-- build log lines
SELECT line, text FROM build_logs WHERE project = $1 AND deployment_id = $2 ORDER BY line;

-- append log lines in bulk (unnest of arrays)
INSERT INTO build_logs (deployment_id, project, line, text)
SELECT $2, $1, l.line, l.text FROM unnest($3::int[], $4::text[]) AS l(line, text);

-- prune logs of old deployments
DELETE FROM build_logs b USING deployments d
WHERE b.deployment_id = d.id AND b.project = d.project AND d.project = $1 AND d.created_at < now() - interval '30 days';

-- failure rate through a CTE
WITH recent AS (
  SELECT status FROM deployments WHERE project = $1 ORDER BY created_at DESC LIMIT 100
)
SELECT avg((status = 'failed')::int) FROM recent;

-- deployments of the organisation's projects, chained through projects
SELECT d.id, p.name FROM deployments d JOIN projects p ON p.id = d.project WHERE p.id = $1;

-- hierarchy: every project of the organisation, as the application computed them
SELECT d.id, d.project FROM deployments d WHERE d.project = ANY($1) AND d.status = 'running';

-- environments of a project
SELECT id, name, protected FROM environments WHERE project = $1 ORDER BY name;

-- create an environment
INSERT INTO environments (id, project, name) VALUES ($1, $2, $3);

-- protect an environment
UPDATE environments SET protected = true WHERE project = $1 AND id = $2;

-- delete an environment that has no deployments
DELETE FROM environments e WHERE e.project = $1 AND e.id = $2
  AND NOT EXISTS (SELECT 1 FROM deployments d WHERE d.environment_id = e.id AND d.project = e.project);

-- running deployments of several projects, with their environments
SELECT d.id, e.name FROM deployments d
JOIN environments e ON e.id = d.environment_id AND e.project = d.project
WHERE d.project = ANY($1::uuid[]) AND d.status = 'running';

-- organisations and projects are global (the project is the tenant)
SELECT p.id, p.name FROM projects p WHERE p.organization_id = $1 ORDER BY p.name;

SELECT name FROM organizations WHERE id = $1;

SELECT code, label FROM regions ORDER BY code;

-- a parameter as text, cast
SELECT * FROM deployments WHERE project = $1::uuid AND status = $2::text;

-- every project's deployments
-- expect: missing-tenant-predicate
SELECT id, project, status FROM deployments WHERE status = 'running';

-- by id alone
-- expect: missing-tenant-predicate
SELECT * FROM deployments WHERE id = $1;

-- the environment side is not tied to the project
-- expect: missing-tenant-predicate
SELECT d.id, e.name FROM deployments d JOIN environments e ON e.id = d.environment_id WHERE d.project = $1;

-- finishing a deployment by id
-- expect: missing-tenant-predicate
UPDATE deployments SET status = $2, finished_at = now() WHERE id = $1;

-- logs by deployment only
-- expect: missing-tenant-predicate
SELECT line, text FROM build_logs WHERE deployment_id = $1 ORDER BY line;

-- prune across projects
-- expect: missing-tenant-predicate
DELETE FROM build_logs WHERE deployment_id IN (SELECT id FROM deployments WHERE created_at < now() - interval '30 days');

-- retry copying from any project: the row also takes the other project's id
-- expect: missing-tenant-predicate
-- expect: insert-without-tenant
INSERT INTO deployments (id, project, environment_id, commit_sha, status)
SELECT nextval('deployments_id_seq'), project, environment_id, commit_sha, 'queued' FROM deployments WHERE id = $1;

-- OR opens the other projects
-- expect: missing-tenant-predicate
SELECT * FROM deployments WHERE project = $1 OR status = 'queued';

-- the CTE reads every project's deployments
-- expect: missing-tenant-predicate
WITH recent AS (SELECT status FROM deployments ORDER BY created_at DESC LIMIT 100)
SELECT avg((status = 'failed')::int) FROM recent;

-- deleting environments by name across projects
-- expect: missing-tenant-predicate
DELETE FROM environments WHERE name = $1;

-- the hierarchy array is not a tenant predicate when compared with another column
-- expect: missing-tenant-predicate
SELECT id FROM deployments WHERE environment_id = ANY($1::uuid[]);

-- wipe the logs of every project
-- expect: truncate-tenant-table
TRUNCATE build_logs;
