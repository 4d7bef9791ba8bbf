/* hex.h — lower-case hex, the only encoding of bytes in an export. */
#pragma once

#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
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

#if defined(__SSE2__)
/*
 * 16 hex digits to 8 bytes with SSE2 (every x86-64 has it): an event line is
 * some 370 digits, and a table lookup per digit was a fifth of the verifier's
 * instructions. False when one of them is not a lower-case hex digit.
 */
inline bool DecodeHex16(const unsigned char *in, char *out)
{
	__m128i const v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in));
	__m128i const digit = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i const letter = _mm_sub_epi8(v, _mm_set1_epi8('a'));
	/* Unsigned x <= k exactly when min(x, k) == x. */
	__m128i const is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digit, _mm_set1_epi8(9)), digit);
	__m128i const is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, _mm_set1_epi8(5)), letter);
	if (_mm_movemask_epi8(_mm_or_si128(is_digit, is_letter)) != 0xFFFF)
		return false;
	__m128i const nibbles = _mm_or_si128(_mm_and_si128(is_digit, digit),
										 _mm_and_si128(is_letter, _mm_add_epi8(letter, _mm_set1_epi8(10))));
	/* Little-endian 16-bit lanes hold (high digit, low digit): high << 4 | low, then one byte per lane. */
	__m128i const bytes = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nibbles, _mm_set1_epi16(0x0F)), 4),
									   _mm_srli_epi16(nibbles, 8));
	_mm_storel_epi64(reinterpret_cast<__m128i *>(out), _mm_packus_epi16(bytes, bytes));
	return true;
}
#endif

/* Decodes hex into out (hex.size() / 2 bytes); false on a non-hex digit. hex.size() must be even. */
inline bool DecodeHexInto(std::string_view hex, char *out)
{
	const unsigned char *in = reinterpret_cast<const unsigned char *>(hex.data());
	size_t const n = hex.size() / 2;
	size_t i = 0;
#if defined(__SSE2__)
	for (; i + 8 <= n; i += 8)
		if (!DecodeHex16(in + 2 * i, out + i))
			return false;
#endif
	unsigned bad = 0;
	for (; i < n; i++) {
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
