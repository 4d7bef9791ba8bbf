--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE SCHEMA app;

CREATE TYPE app."Role" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');

CREATE TABLE app."Tenant" (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    slug text NOT NULL,
    "createdAt" timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE TABLE app."User" (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    "tenantId" uuid NOT NULL,
    email text NOT NULL,
    role app."Role" DEFAULT 'MEMBER'::app."Role" NOT NULL,
    "deletedAt" timestamp(3) without time zone
);

CREATE TABLE app."Team" (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    "tenantId" uuid NOT NULL,
    name text NOT NULL,
    "parentId" uuid
);

CREATE TABLE app."TeamMember" (
    "teamId" uuid NOT NULL,
    "userId" uuid NOT NULL,
    "tenantId" uuid NOT NULL
);

CREATE TABLE app."Document" (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    "tenantId" uuid NOT NULL,
    "teamId" uuid,
    "authorId" uuid NOT NULL,
    title text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    "publishedAt" timestamp(3) without time zone,
    "updatedAt" timestamp(3) without time zone NOT NULL
);

CREATE TABLE app."DocumentVersion" (
    id bigint NOT NULL,
    "tenantId" uuid NOT NULL,
    "documentId" uuid NOT NULL,
    body text NOT NULL,
    "createdAt" timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE TABLE app."ApiKey" (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    "tenantId" uuid NOT NULL,
    "hashedKey" text NOT NULL,
    "lastUsedAt" timestamp(3) without time zone
);

CREATE TABLE app."Usage" (
    "tenantId" uuid NOT NULL,
    day date NOT NULL,
    requests bigint DEFAULT 0 NOT NULL
);

CREATE TABLE app."Plan" (
    code text NOT NULL,
    "maxSeats" integer NOT NULL
);

ALTER TABLE ONLY app."Tenant"
    ADD CONSTRAINT "Tenant_pkey" PRIMARY KEY (id);
ALTER TABLE ONLY app."User"
    ADD CONSTRAINT "User_pkey" PRIMARY KEY (id);
CREATE UNIQUE INDEX "User_tenantId_email_key" ON app."User" USING btree ("tenantId", email);
CREATE UNIQUE INDEX "Usage_tenantId_day_key" ON app."Usage" USING btree ("tenantId", day);
ALTER TABLE ONLY app."Document"
    ADD CONSTRAINT "Document_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES app."Tenant"(id) ON UPDATE CASCADE ON DELETE RESTRICT;

--
-- Row-level security, as pg_dump prints it.
--

ALTER TABLE app."User" ENABLE ROW LEVEL SECURITY;
ALTER TABLE app."User" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app."User" USING (("tenantId" = (current_setting('app.tenant_id'::text))::uuid));
ALTER TABLE app."Document" ENABLE ROW LEVEL SECURITY;
ALTER TABLE app."Document" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app."Document" USING (("tenantId" = (current_setting('app.tenant_id'::text))::uuid)) WITH CHECK (("tenantId" = (current_setting('app.tenant_id'::text))::uuid));

SELECT tenant_guard.protect('app."Team"', 'tenantId');
SELECT tenant_guard.protect('app."TeamMember"', 'tenantId');
SELECT tenant_guard.protect('app."DocumentVersion"', 'tenantId');
SELECT tenant_guard.protect('app."ApiKey"', 'tenantId');
SELECT tenant_guard.protect('app."Usage"', 'tenantId');
