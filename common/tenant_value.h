/*
 * tenant_value.h — which column types can hold a tenant, and whether a
 * setting's text is a valid tenant of that type. Pure C++: shared with the
 * unit tests and tenant-lint.
 */
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tg {

enum class TenantType { Uuid, Bigint, Integer, Text };

/* From a type name as format_type() spells it: uuid, bigint, integer, text. */
std::optional<TenantType> TenantTypeFromSqlName(std::string_view sql_name);

/* The SQL type name (uuid, bigint, integer, text). */
const char *TenantTypeSqlName(TenantType type);

/* The schema that holds tenant_guard's objects. */
constexpr const char *kExtensionSchema = "tenant_guard";

/* The SQL function (schema tenant_guard) that returns the current tenant as this type. */
const char *TenantFunctionName(TenantType type);

/*
 * Whether name (without schema) is one of tenant_guard's functions that
 * return the current tenant: a tenant_<type>() or current_tenant().
 */
bool IsTenantFunctionName(std::string_view name);

using UuidBytes = std::array<uint8_t, 16>;

/* The forms uuid_in accepts: 32 hex digits, optionally in braces, a hyphen after any group of 4. */
std::optional<UuidBytes> ParseUuid(std::string_view text);

/* Plain decimal with an optional sign; no spaces, no overflow. */
std::optional<int64_t> ParseInt64(std::string_view text);
std::optional<int32_t> ParseInt32(std::string_view text);

/* Longest tenant accepted for a text column. */
constexpr size_t kMaxTextTenantBytes = 255;

/*
 * Why text is not a tenant of this type, or nullopt when it is. The empty
 * string is "not set": a committed SET LOCAL leaves '' behind.
 */
std::optional<std::string> TenantValueProblem(TenantType type, std::string_view text);

/*
 * Whether two texts name the same tenant of this type: uuids compare as
 * values ("A0EE..." equals "a0ee..."), integers as numbers, text exactly.
 * Values that do not parse compare as text.
 */
bool SameTenant(TenantType type, std::string_view a, std::string_view b);

} // namespace tg
