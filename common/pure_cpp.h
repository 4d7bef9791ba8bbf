/*
 * pure_cpp.h — included last by code that must never depend on PostgreSQL
 * (tenant values, hashing, RFC 3161): such code is unit-tested by Boost.Test
 * without a server and reused by tenant-lint.
 */
#pragma once

#if defined(POSTGRES_H) || defined(PG_VERSION_NUM)
#error "this file is pure C++ and must not include postgres.h"
#endif
