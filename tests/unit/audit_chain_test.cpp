// Audit hashes: the canonical encoding byte for byte, SHA-256 (FIPS 180-2
// vector), RFC 9162 Merkle roots for sizes 1..8 (computed independently from
// the RFC's definition), and the block and pass hashes.
#include <boost/test/unit_test.hpp>

#include <cctype>

#include "common/audit_chain.h"

using namespace tg::audit;

namespace {

std::string Hex(std::string_view bytes)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	for (unsigned char c : bytes) {
		out += digits[c >> 4];
		out += digits[c & 0xF];
	}
	return out;
}

Hash Filled(unsigned char byte)
{
	Hash h{};
	h.fill(byte);
	return h;
}

/* Leaf data for the Merkle vectors: SHA-256 of the single byte i. */
std::vector<Hash> Leaves(int n, Sha256 &sha)
{
	std::vector<Hash> leaves;
	for (int i = 0; i < n; i++)
		leaves.push_back(sha.Of(std::string(1, static_cast<char>(i))));
	return leaves;
}

EventFields SampleEvent()
{
	EventFields e;
	e.chain_id = "tenant:42";
	e.seq = 7;
	e.txid = 1234;
	e.tx_ordinal = 1;
	e.occurred_at = 789000000;
	e.session_actor = "alice";
	e.actor = "app";
	e.table_name = "public.orders";
	e.operation = "UPDATE";
	e.tenant_id = "42";
	e.old_row = "{\"id\": 1}";
	e.new_row = "{\"id\": 2}";
	e.changed_columns = std::vector<std::string_view>{"id"};
	e.client_addr = "10.0.0.1";
	return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(audit_chain)

BOOST_AUTO_TEST_CASE(sha256_fips_180_2_abc)
{
	Sha256 sha;
	BOOST_TEST(ToHex(sha.Of("abc")) ==
			   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	BOOST_TEST(ToHex(sha.Of("")) ==
			   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(event_encoding_is_pinned_byte_for_byte)
{
	CanonicalWriter w;
	EncodeEvent(SampleEvent(), w);
	BOOST_TEST(Hex(w.bytes()) ==
			   "01010000000974656e616e743a34320200000000000000070200000000000004d2020000000000"
			   "00000102000000002f072f400100000005616c6963650100000003617070010000000d7075626c"
			   "69632e6f726465727301000000065550444154450100000002343201000000097b226964223a20"
			   "317d01000000097b226964223a20327d03000000010100000002696400010000000831302e302e"
			   "302e31");
	Sha256 sha;
	BOOST_TEST(ToHex(HashEvent(SampleEvent(), w, sha)) ==
			   "a8841442ad8449b0a70adf62015b80a46304fc8a834776fd340a75dcd0cf3545");
}

BOOST_AUTO_TEST_CASE(every_field_changes_the_hash)
{
	CanonicalWriter w;
	Sha256 sha;
	Hash const base = HashEvent(SampleEvent(), w, sha);
	std::vector<EventFields> variants(14, SampleEvent());
	variants[0].chain_id = "tenant:43";
	variants[1].seq = 8;
	variants[2].txid = 1235;
	variants[3].tx_ordinal = 2;
	variants[4].occurred_at = 789000001;
	variants[5].session_actor = "bob";
	variants[6].actor = "ap";
	variants[7].table_name = "public.order";
	variants[8].operation = "DELETE";
	variants[9].tenant_id = std::nullopt;
	variants[10].old_row = "{\"id\": 3}";
	variants[11].new_row = std::nullopt;
	variants[12].changed_columns = std::nullopt;
	variants[13].application_name = "";
	for (const EventFields &v : variants)
		BOOST_TEST(ToHex(HashEvent(v, w, sha)) != ToHex(base));
}

BOOST_AUTO_TEST_CASE(length_prefixes_keep_field_boundaries)
{
	/* "ab" + "c" and "a" + "bc" must not encode alike. */
	CanonicalWriter w;
	Sha256 sha;
	EventFields one = SampleEvent();
	EventFields two = SampleEvent();
	one.session_actor = "ab";
	one.actor = "c";
	two.session_actor = "a";
	two.actor = "bc";
	BOOST_TEST(ToHex(HashEvent(one, w, sha)) != ToHex(HashEvent(two, w, sha)));
	/* NULL and the empty string differ too. */
	one = SampleEvent();
	two = SampleEvent();
	one.tenant_id = std::nullopt;
	two.tenant_id = "";
	BOOST_TEST(ToHex(HashEvent(one, w, sha)) != ToHex(HashEvent(two, w, sha)));
}

BOOST_AUTO_TEST_CASE(merkle_roots_rfc9162_sizes_1_to_8)
{
	Sha256 sha;
	const char *const expected[] = {
		"d9de27625445003d8a9739a851e3ff8d41c0683630b4d63a88327a6aaa37c409",
		"604d540f09268b91672ab011394d5266ccd7d4484d0d109411a55848126a1b2c",
		"d1f13800048f5909d4043fc0c152f6643280cba608b672715e56ce159a20629f",
		"0dcc2b645c00dfa2338e1c7ac2c4b570beda5a476d58836e55e28bde55e6bee1",
		"6b313b611b40676b9e1dfd70c4503f2379f88f0f1c2740fb7e1cacc32c113465",
		"33d501ae67e6e5745c0aa49e3aff95130969b568208b07210c508caa5ff39b3c",
		"bee2275db16667589a4515f63e0d053a2fa602c1d9f9703e98920a5bdad59baf",
		"80e139b44c90f91edebec705cc7586c3d90f4bdadd49628d25c20d4b03419287"};
	for (int n = 1; n <= 8; n++)
		BOOST_TEST(ToHex(MerkleRoot(Leaves(n, sha), sha)) == expected[n - 1], "size " << n);
	BOOST_TEST(ToHex(MerkleRoot({}, sha)) ==
			   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(merkle_root_of_leaf_hashes_equals_merkle_root)
{
	Sha256 sha;
	for (int n = 0; n <= 9; n++) {
		std::vector<Hash> const leaves = Leaves(n, sha);
		std::vector<Hash> hashed;
		for (const Hash &leaf : leaves)
			hashed.push_back(LeafHash(leaf, sha));
		BOOST_TEST(ToHex(MerkleRootOfLeafHashes(hashed, sha)) == ToHex(MerkleRoot(leaves, sha)),
				   "size " << n);
	}
}

BOOST_AUTO_TEST_CASE(merkle_root_never_duplicates_the_last_leaf)
{
	/* CVE-2012-2459: with duplication, [a, b, c] and [a, b, c, c] share a root. */
	Sha256 sha;
	std::vector<Hash> three = Leaves(3, sha);
	std::vector<Hash> four = three;
	four.push_back(three.back());
	BOOST_TEST(ToHex(MerkleRoot(three, sha)) != ToHex(MerkleRoot(four, sha)));
	/* Order matters: swapping two leaves changes the root. */
	std::vector<Hash> swapped = three;
	std::swap(swapped[0], swapped[1]);
	BOOST_TEST(ToHex(MerkleRoot(three, sha)) != ToHex(MerkleRoot(swapped, sha)));
}

BOOST_AUTO_TEST_CASE(block_and_pass_hashes_are_pinned)
{
	CanonicalWriter w;
	Sha256 sha;
	BlockFields block;
	block.chain_id = "global";
	block.block_no = 3;
	block.prev_hash = Filled(0x11);
	block.event_count = 2;
	block.merkle_root = Filled(0x22);
	BOOST_TEST(ToHex(HashBlock(block, w, sha)) ==
			   "79c14555a9150ec7ad1f6b4e6e739e7b3a99b16ac60d927580117fe049765d16");
	PassFields pass;
	pass.pass_no = 5;
	pass.prev_hash = Filled(0x33);
	pass.low_watermark = 10;
	pass.high_watermark = 20;
	pass.block_hashes = {Filled(0x44), Filled(0x55)};
	BOOST_TEST(ToHex(HashPass(pass, w, sha)) ==
			   "a6841e668e8035903882b72adca654caa90310e59d8af9dc33a683667c42ea86");
}

BOOST_AUTO_TEST_CASE(hash_from_bytes_needs_32_bytes)
{
	BOOST_TEST(!HashFromBytes(std::string(31, 'a')));
	BOOST_TEST(HashFromBytes(std::string(32, 'a')).has_value());
}

BOOST_AUTO_TEST_CASE(hash_from_hex_needs_64_hex_digits)
{
	Sha256 sha;
	Hash const h = sha.Of("abc");
	std::string const hex = ToHex(h);
	BOOST_TEST((HashFromHex(hex) == std::optional<Hash>(h)));
	std::string upper = hex;
	for (char &c : upper)
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	BOOST_TEST((HashFromHex(upper) == std::optional<Hash>(h)));
	BOOST_TEST(!HashFromHex(hex.substr(0, 62)).has_value());
	BOOST_TEST(!HashFromHex(hex + "00").has_value());
	BOOST_TEST(!HashFromHex(std::string(63, '0') + "g").has_value());
	BOOST_TEST(!HashFromHex("").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
