--
-- PostgreSQL database dump (db/structure.sql of a Rails application)
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE TABLE public.accounts (
    id bigint NOT NULL,
    name character varying NOT NULL,
    plan character varying DEFAULT 'free'::character varying NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);

CREATE SEQUENCE public.accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;

CREATE TABLE public.users (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    email character varying NOT NULL,
    role character varying DEFAULT 'member'::character varying NOT NULL,
    last_sign_in_at timestamp(6) without time zone,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE public.projects (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    name character varying NOT NULL,
    archived boolean DEFAULT false NOT NULL,
    owner_id bigint,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE public.tickets (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    project_id bigint NOT NULL,
    assignee_id bigint,
    title character varying NOT NULL,
    status character varying DEFAULT 'open'::character varying NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    due_on date,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE public.ticket_comments (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    user_id bigint NOT NULL,
    body text NOT NULL,
    created_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE public.taggings (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    ticket_id bigint NOT NULL,
    tag character varying NOT NULL
);

CREATE TABLE public.invoices (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    number character varying NOT NULL,
    total_cents bigint DEFAULT 0 NOT NULL,
    status character varying NOT NULL,
    issued_on date,
    paid_at timestamp(6) without time zone
);

CREATE TABLE public.invoice_items (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    invoice_id bigint NOT NULL,
    description character varying NOT NULL,
    amount_cents bigint NOT NULL
);

CREATE TABLE public.activity_logs (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    user_id bigint,
    action character varying NOT NULL,
    subject_type character varying,
    subject_id bigint,
    created_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE public.settings (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    key character varying NOT NULL,
    value jsonb DEFAULT '{}'::jsonb NOT NULL
);

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);

CREATE TABLE public.ar_internal_metadata (
    key character varying NOT NULL,
    value character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE public.feature_flags (
    name character varying NOT NULL,
    enabled boolean DEFAULT false NOT NULL
);

ALTER TABLE ONLY public.accounts ALTER COLUMN id SET DEFAULT nextval('public.accounts_id_seq'::regclass);

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX index_users_on_account_id_and_email ON public.users USING btree (account_id, email);
CREATE UNIQUE INDEX index_settings_on_account_id_and_key ON public.settings USING btree (account_id, key);
CREATE UNIQUE INDEX index_taggings_on_ticket_and_tag ON public.taggings USING btree (account_id, ticket_id, tag);
CREATE INDEX index_tickets_on_account_id_and_status ON public.tickets USING btree (account_id, status);

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT fk_rails_tickets_projects FOREIGN KEY (project_id) REFERENCES public.projects(id);

--
-- Row-level security written by the application's own migration, not tenant_guard.
--

ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY invoices_account_isolation ON public.invoices USING ((account_id = (current_setting('app.tenant_id'::text))::bigint));

SELECT tenant_guard.protect('public.users');
SELECT tenant_guard.protect('public.projects');
SELECT tenant_guard.protect('public.tickets');
SELECT tenant_guard.protect('public.ticket_comments');
SELECT tenant_guard.protect('public.taggings');
SELECT tenant_guard.protect('public.invoice_items');
SELECT tenant_guard.protect('public.activity_logs');
SELECT tenant_guard.protect('public.settings');

--
-- PostgreSQL database dump complete
--

SET search_path TO "$user", public;

INSERT INTO "schema_migrations" (version) VALUES
('20240101000000'),
('20240215093000'),
('20240402120000');
