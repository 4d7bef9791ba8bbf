-- Golden input: errors and a warning, a suppression, a parse error (info needs --trust-rls).
SELECT id, total FROM orders WHERE tenant_id = $1;

SELECT o.id, c.name
  FROM orders o
  JOIN customers c ON c.id = o.id
 WHERE o.tenant_id = $1;

SELECT * FROM orders WHERE tenant_id = 'aaaaaaaa-0000-0000-0000-00000000000a';

-- tenant-lint: ignore[missing-tenant-predicate] nightly report, all tenants on purpose
SELECT count(*) FROM orders;

SELECT "total", 'a, b: c' FROM orders WHERE id = 1 OR tenant_id = $1;

SELEC broken;
