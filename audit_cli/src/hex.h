/* hex.h — lower-case hex, the only encoding of bytes in an export. */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tg::audit_cli {

/* Each byte's value as a hex digit, or 0x100 when it is none: decoding by table, no branch per digit. */
struct HexTable {
	uint16_t value[256];
	constexpr HexTable() : value()
	{
		for (int c = 0; c < 256; c++)
			value[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0x100;
	}
};
inline constexpr HexTable kHexTable{};

/* Decodes hex into out (hex.size() / 2 bytes); false on a non-hex digit. hex.size() must be even. */
inline bool DecodeHexInto(std::string_view hex, char *out)
{
	const unsigned char *in = reinterpret_cast<const unsigned char *>(hex.data());
	unsigned bad = 0;
	for (size_t i = 0, n = hex.size() / 2; i < n; i++) {
		unsigned const hi = kHexTable.value[in[2 * i]], lo = kHexTable.value[in[2 * i + 1]];
		bad |= hi | lo;
		out[i] = static_cast<char>(hi << 4 | lo);
	}
	return (bad & 0x100) == 0;
}

/* Appends the bytes of hex to out; false on odd length or a non-hex digit. */
inline bool DecodeHex(std::string_view hex, std::string &out)
{
	if (hex.size() % 2)
		return false;
	size_t const base = out.size();
	out.resize(base + hex.size() / 2);
	return DecodeHexInto(hex, out.data() + base);
}

inline std::string EncodeHex(std::string_view bytes)
{
	static const char digits[] = "0123456789abcdef";
	std::string out(bytes.size() * 2, '0');
	for (size_t i = 0; i < bytes.size(); i++) {
		out[2 * i] = digits[static_cast<unsigned char>(bytes[i]) >> 4];
		out[2 * i + 1] = digits[static_cast<unsigned char>(bytes[i]) & 0xF];
	}
	return out;
}

} // namespace tg::audit_cli
