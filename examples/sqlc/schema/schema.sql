-- A pg_dump-style schema of a multi-tenant SaaS application: workspaces are the
-- tenants. Three tenant column spellings live side by side (workspace_id,
-- "workspaceId" in tables an ORM created, project in deployments), and one table
-- has row-level security of its own instead of tenant_guard.
CREATE TABLE public.workspaces (id uuid NOT NULL, name text NOT NULL, plan text NOT NULL);
CREATE TABLE public.members (id bigint NOT NULL, workspace_id uuid NOT NULL, email text NOT NULL,
    role text NOT NULL, manager_id bigint);
CREATE TABLE public.projects (id uuid NOT NULL, workspace_id uuid NOT NULL, name text NOT NULL,
    archived boolean DEFAULT false NOT NULL);
CREATE TABLE public.issues (id bigint NOT NULL, workspace_id uuid NOT NULL, project_id uuid NOT NULL,
    title text NOT NULL, state text NOT NULL, assignee_id bigint, parent_id bigint);
CREATE TABLE public.comments (id bigint NOT NULL, workspace_id uuid NOT NULL, issue_id bigint NOT NULL,
    author_id bigint NOT NULL, body text NOT NULL);
CREATE TABLE public.webhooks (id bigint NOT NULL, "workspaceId" uuid NOT NULL, url text NOT NULL);
CREATE TABLE public.deployments (id bigint NOT NULL, project uuid NOT NULL, state text NOT NULL);
CREATE TABLE public.audit_events (id bigint NOT NULL, workspace_id uuid NOT NULL, kind text NOT NULL,
    created_at timestamp with time zone NOT NULL);
CREATE TABLE public.plans (code text NOT NULL, monthly_price numeric NOT NULL);

SELECT tenant_guard.protect('public.members');
SELECT tenant_guard.protect('public.projects');
SELECT tenant_guard.protect('public.issues');
SELECT tenant_guard.protect('public.comments');
SELECT tenant_guard.protect('public.webhooks', 'workspaceId');
SELECT tenant_guard.protect('public.deployments', 'project');

ALTER TABLE public.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_isolation ON public.audit_events
    USING ((workspace_id = (current_setting('app.tenant_id'::text))::uuid));
