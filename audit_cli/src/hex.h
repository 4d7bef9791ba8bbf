/* hex.h — lower-case hex, the only encoding of bytes in an export. */
#pragma once

#include <string>
#include <string_view>

namespace tg::audit_cli {

inline int Nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Appends the bytes of hex to out; false on odd length or a non-hex digit. */
inline bool DecodeHex(std::string_view hex, std::string &out)
{
	if (hex.size() % 2)
		return false;
	size_t const base = out.size();
	out.resize(base + hex.size() / 2);
	for (size_t i = 0; i < hex.size(); i += 2) {
		int const hi = Nibble(hex[i]), lo = Nibble(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[base + i / 2] = static_cast<char>(hi << 4 | lo);
	}
	return true;
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
