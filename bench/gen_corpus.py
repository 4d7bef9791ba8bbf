#!/usr/bin/env python3
"""Writes a corpus of typical application SQL for the tenant-lint benchmark.

gen_corpus.py DIR STATEMENTS FILES [LEAK_RATE] [one-line]: DIR/schema.sql plus
FILES query files holding STATEMENTS statements in all, one per line (or all on
one line with "one-line"). A LEAK_RATE share of them (default 0.05) miss the
tenant predicate, so the JSON report has findings to write. Deterministic.
"""
import os
import random
import sys

TABLES = ["customers", "invoices", "invoice_lines", "payments", "projects", "tasks",
          "comments", "attachments", "events", "subscriptions"]

TEMPLATES = [
    "SELECT id, name, created_at FROM {t} WHERE tenant_id = $1 AND id = $2;",
    "SELECT t.id, t.name FROM {t} t WHERE t.tenant_id = $1 ORDER BY t.created_at DESC LIMIT 50;",
    "SELECT a.id, b.name FROM {t} a JOIN {u} b ON b.tenant_id = a.tenant_id AND b.id = a.parent_id "
    "WHERE a.tenant_id = $1 AND a.status = $2;",
    "SELECT count(*) FROM {t} WHERE tenant_id = current_setting('app.tenant_id')::uuid "
    "AND created_at >= now() - interval '30 days';",
    "INSERT INTO {t} (tenant_id, name, status) VALUES ($1, $2, $3) RETURNING id;",
    "UPDATE {t} SET name = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2;",
    "DELETE FROM {t} WHERE tenant_id = $1 AND id = $2;",
    "SELECT id FROM {t} WHERE tenant_id = $1 AND parent_id IN "
    "(SELECT id FROM {u} WHERE tenant_id = $1 AND status = 'open');",
    "INSERT INTO {t} (tenant_id, name, status) VALUES ($1, $2, $3) "
    "ON CONFLICT (tenant_id, name) DO UPDATE SET status = EXCLUDED.status;",
    "WITH recent AS (SELECT id, parent_id FROM {t} WHERE tenant_id = $1 ORDER BY created_at "
    "DESC LIMIT 10) SELECT r.id, u.name FROM recent r JOIN {u} u ON u.id = r.parent_id "
    "AND u.tenant_id = $1;",
]
LEAKY = [
    "SELECT id, name FROM {t} WHERE id = $1;",
    "UPDATE {t} SET status = $2 WHERE id = $1;",
]


def main():
    out_dir, total, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    leak_rate = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    separator = " " if len(sys.argv) > 5 and sys.argv[5] == "one-line" else "\n"
    rng = random.Random(20261125)
    os.makedirs(os.path.join(out_dir, "queries"), exist_ok=True)
    with open(os.path.join(out_dir, "schema.sql"), "w") as schema:
        for t in TABLES:
            schema.write(f"CREATE TABLE {t} (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, "
                         f"parent_id bigint, name text, status text, created_at timestamptz, "
                         f"updated_at timestamptz);\n")
            schema.write(f"SELECT tenant_guard.protect('{t}');\n")
    per_file = total // files
    for f in range(files):
        with open(os.path.join(out_dir, "queries", f"q{f:04d}.sql"), "w") as out:
            for _ in range(per_file):
                template = rng.choice(LEAKY) if rng.random() < leak_rate else rng.choice(TEMPLATES)
                out.write(template.format(t=rng.choice(TABLES), u=rng.choice(TABLES)) + separator)


if __name__ == "__main__":
    main()
