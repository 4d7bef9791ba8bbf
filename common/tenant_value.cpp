#include "common/tenant_value.h"

#include <limits>

#include "common/pure_cpp.h"

namespace tg {

std::optional<TenantType> TenantTypeFromSqlName(std::string_view sql_name)
{
	if (sql_name == "uuid")
		return TenantType::Uuid;
	if (sql_name == "bigint")
		return TenantType::Bigint;
	if (sql_name == "integer")
		return TenantType::Integer;
	if (sql_name == "text")
		return TenantType::Text;
	return std::nullopt;
}

const char *TenantTypeSqlName(TenantType type)
{
	switch (type) {
	case TenantType::Uuid:
		return "uuid";
	case TenantType::Bigint:
		return "bigint";
	case TenantType::Integer:
		return "integer";
	case TenantType::Text:
		return "text";
	}
	return "unknown";
}

const char *TenantFunctionName(TenantType type)
{
	switch (type) {
	case TenantType::Uuid:
		return "tenant_uuid";
	case TenantType::Bigint:
		return "tenant_bigint";
	case TenantType::Integer:
		return "tenant_integer";
	case TenantType::Text:
		return "tenant_text";
	}
	return "unknown";
}

bool IsTenantFunctionName(std::string_view name)
{
	if (name == "current_tenant")
		return true;
	for (TenantType type : {TenantType::Uuid, TenantType::Bigint, TenantType::Integer, TenantType::Text})
		if (name == TenantFunctionName(type))
			return true;
	return false;
}

static int HexValue(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

std::optional<UuidBytes> ParseUuid(std::string_view text)
{
	bool const braces = !text.empty() && text.front() == '{';
	if (braces) {
		if (text.size() < 2 || text.back() != '}')
			return std::nullopt;
		text = text.substr(1, text.size() - 2);
	}
	UuidBytes bytes{};
	size_t pos = 0;
	for (size_t i = 0; i < bytes.size(); i++) {
		/* As uuid_in: a hyphen may follow any complete group of four digits. */
		if (i > 0 && i % 2 == 0 && pos < text.size() && text[pos] == '-')
			pos++;
		if (pos + 2 > text.size())
			return std::nullopt;
		int const hi = HexValue(text[pos]);
		int const lo = HexValue(text[pos + 1]);
		if (hi < 0 || lo < 0)
			return std::nullopt;
		bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
		pos += 2;
	}
	if (pos != text.size())
		return std::nullopt;
	return bytes;
}

std::optional<int64_t> ParseInt64(std::string_view text)
{
	bool negative = false;
	if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
		negative = text.front() == '-';
		text.remove_prefix(1);
	}
	if (text.empty())
		return std::nullopt;
	/* Accumulate negatively so that INT64_MIN fits. */
	int64_t value = 0;
	for (char c : text) {
		if (c < '0' || c > '9')
			return std::nullopt;
		int const digit = c - '0';
		if (value < (std::numeric_limits<int64_t>::min() + digit) / 10)
			return std::nullopt;
		value = value * 10 - digit;
	}
	if (!negative) {
		if (value == std::numeric_limits<int64_t>::min())
			return std::nullopt;
		value = -value;
	}
	return value;
}

std::optional<int32_t> ParseInt32(std::string_view text)
{
	std::optional<int64_t> wide = ParseInt64(text);
	if (!wide || *wide < std::numeric_limits<int32_t>::min() ||
		*wide > std::numeric_limits<int32_t>::max())
		return std::nullopt;
	return static_cast<int32_t>(*wide);
}

static std::optional<std::string> TextTenantProblem(std::string_view text)
{
	if (text.size() > kMaxTextTenantBytes)
		return "is longer than " + std::to_string(kMaxTextTenantBytes) + " bytes";
	for (unsigned char c : text) {
		if (c < 0x20 || c == 0x7f)
			return std::string("contains a control character");
	}
	if (text.front() == ' ' || text.back() == ' ')
		return std::string("has leading or trailing spaces");
	return std::nullopt;
}

std::optional<std::string> TenantValueProblem(TenantType type, std::string_view text)
{
	if (text.empty())
		return std::string("is empty");
	switch (type) {
	case TenantType::Uuid:
		if (!ParseUuid(text))
			return std::string("is not a valid uuid");
		return std::nullopt;
	case TenantType::Bigint:
		if (!ParseInt64(text))
			return std::string("is not a valid bigint");
		return std::nullopt;
	case TenantType::Integer:
		if (!ParseInt32(text))
			return std::string("is not a valid integer");
		return std::nullopt;
	case TenantType::Text:
		return TextTenantProblem(text);
	}
	return std::string("has an unknown type");
}

bool SameTenant(TenantType type, std::string_view a, std::string_view b)
{
	switch (type) {
	case TenantType::Uuid: {
		std::optional<UuidBytes> x = ParseUuid(a);
		std::optional<UuidBytes> y = ParseUuid(b);
		if (x && y)
			return *x == *y;
		break;
	}
	case TenantType::Bigint:
	case TenantType::Integer: {
		std::optional<int64_t> x = ParseInt64(a);
		std::optional<int64_t> y = ParseInt64(b);
		if (x && y)
			return *x == *y;
		break;
	}
	case TenantType::Text:
		break;
	}
	return a == b;
}

} // namespace tg
