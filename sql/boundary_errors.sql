-- The C++/PostgreSQL boundary: errors cross it in both directions with their
-- SQLSTATE, detail and hint, and C++ destructors run on the way out.
CREATE EXTENSION tenant_guard;
-- LAST_ERROR_SQLSTATE shows that each error kept its SQLSTATE.

-- PostgreSQL -> C++ -> PostgreSQL: int4in's ERROR is caught by PgCall,
-- carried as PgError and re-raised unchanged (22P02, not XX000).
SELECT tenant_guard._boundary_selftest('pg-error');
\echo :LAST_ERROR_SQLSTATE
-- The same through SPI: the CONTEXT line survives too.
SELECT tenant_guard._boundary_selftest('spi-error');
\echo :LAST_ERROR_SQLSTATE
-- The error outlives SPI_finish, which deletes SPI's memory while the C++
-- exception unwinds, and the reuse of that memory: message, SQLSTATE and
-- CONTEXT arrive intact (they came from freed memory before 1.1).
SELECT tenant_guard._boundary_selftest('spi-error-reuse');
\echo :LAST_ERROR_SQLSTATE
-- The same through a real entry point: protect()'s DDL fails inside SPI.
CREATE TABLE boundary_t (id int, tenant_id int);
BEGIN READ ONLY;
SELECT tenant_guard.protect('boundary_t');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
DROP TABLE boundary_t;
-- C++ -> PostgreSQL: tg::Error keeps its SQLSTATE, detail and hint.
SELECT tenant_guard._boundary_selftest('cpp-error');
\echo :LAST_ERROR_SQLSTATE
-- Foreign C++ exceptions become internal errors, bad_alloc becomes 53200.
SELECT tenant_guard._boundary_selftest('std-exception');
\echo :LAST_ERROR_SQLSTATE
SELECT tenant_guard._boundary_selftest('bad-alloc');
\echo :LAST_ERROR_SQLSTATE
-- Unknown modes are a user error with a hint.
SELECT tenant_guard._boundary_selftest('nonsense');
\echo :LAST_ERROR_SQLSTATE

-- A caught PgError that is inspected and dropped leaves the backend usable.
SELECT tenant_guard._boundary_selftest('recover');
SELECT 1 AS still_working;

-- Each failed call unwinds one DestructorProbe: two errors, two destructor runs.
SELECT tenant_guard._boundary_selftest('destructors')::int AS before \gset
SELECT tenant_guard._boundary_selftest('cpp-error');
SELECT tenant_guard._boundary_selftest('pg-error');
SELECT tenant_guard._boundary_selftest('destructors')::int - :before AS unwound;

-- Internal: not for PUBLIC.
CREATE ROLE regress_tg_nobody;
SET ROLE regress_tg_nobody;
SELECT tenant_guard._boundary_selftest('recover');
RESET ROLE;
DROP ROLE regress_tg_nobody;

DROP EXTENSION tenant_guard;
