--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.organizations (
    id uuid NOT NULL,
    name text NOT NULL
);

CREATE TABLE public.projects (
    id uuid NOT NULL,
    organization_id uuid NOT NULL,
    name text NOT NULL
);

CREATE TABLE public.environments (
    id uuid NOT NULL,
    project uuid NOT NULL,
    name text NOT NULL,
    protected boolean DEFAULT false NOT NULL
);

CREATE TABLE public.deployments (
    id bigint NOT NULL,
    project uuid NOT NULL,
    environment_id uuid NOT NULL,
    commit_sha text NOT NULL,
    status text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone
);

CREATE TABLE public.secrets (
    id bigint NOT NULL,
    project uuid NOT NULL,
    environment_id uuid NOT NULL,
    name text NOT NULL,
    ciphertext bytea NOT NULL
);

CREATE TABLE public.build_logs (
    deployment_id bigint NOT NULL,
    project uuid NOT NULL,
    line integer NOT NULL,
    text text NOT NULL
);

CREATE TABLE public.domains (
    hostname text NOT NULL,
    project uuid NOT NULL,
    verified boolean DEFAULT false NOT NULL
);

CREATE TABLE public.regions (
    code text NOT NULL,
    label text NOT NULL
);

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX secrets_project_env_name ON public.secrets USING btree (project, environment_id, name);
CREATE UNIQUE INDEX domains_hostname ON public.domains USING btree (hostname);

ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY secrets_by_project ON public.secrets
    USING ((project = (current_setting('app.tenant_id'::text))::uuid));

SELECT tenant_guard.protect('public.environments', 'project');
SELECT tenant_guard.protect('public.deployments', 'project');
SELECT tenant_guard.protect('public.build_logs', 'project');
SELECT tenant_guard.protect('public.domains', 'project');
