#!/usr/bin/env bash
# tenant-audit verify throughput: a synthetic, valid export of N events
# (default 1,000,000; 100 events per block, 4 chains, 10 blocks per pass,
# payloads like a single-row INSERT), one closed day time-stamped by a local
# openssl ts authority, verified once; prints events/s, CPU time and max RSS.
#   bench/audit_verify.sh [N]
source "$(dirname "$0")/../scripts/lib.sh"
N=${1:-1000000}
DIR=$(mktemp -d /tmp/tenant_guard_bench_verify.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$REPO_ROOT/scripts/tsa.sh" init "$DIR/tsa"
python3 - "$N" "$DIR/export" <<'PY'
import hashlib, os, struct, sys
n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out)
def b(x): return b'\x01' + struct.pack('>I', len(x)) + x
def i(v): return b'\x02' + struct.pack('>q', v)
sha = lambda x: hashlib.sha256(x).digest()
def mth(leaves):  # RFC 9162 over leaf hashes
    if len(leaves) == 1: return leaves[0]
    k = 1
    while k * 2 < len(leaves): k *= 2
    return sha(b'\x01' + mth(leaves[:k]) + mth(leaves[k:]))
chains = [b'tenant:t%d' % c for c in range(4)]
heads = {c: (0, bytes(32)) for c in chains}
log, all_leaves = open(out + '/log.tsv', 'w'), []
prev_pass, seq, pass_no = bytes(32), 0, 0
while seq < n:
    pass_no += 1
    lines, block_hashes, low = [], [], seq
    for c in sorted(chains):
        for _ in range(10 // len(chains) + 1):
            if seq >= n: break
            events, leaves = [], []
            for _ in range(min(100, n - seq)):
                seq += 1
                row = b'{"id": %d, "amount": %d.50, "tenant_id": "%s"}' % (seq, seq % 997, c[7:])
                e = (b'\x01' + b(c) + i(seq) + i(1000 + seq // 3) + i(seq % 3) + i(851234567890123 + seq)
                     + b(b'app') + b(b'app') + b(b'public.ledger') + b(b'INSERT') + b(c[7:]) + b'\x00' + b(row)
                     + b'\x00' + b(b'pgbench') + b'\x00')
                leaf = sha(b'\x00' + sha(e))
                events.append('E %d %s' % (seq, e.hex())); leaves.append(leaf)
            no, prev = heads[c]
            root = mth(leaves)
            bh = sha(b'\x02' + b(c) + i(no + 1) + b(prev) + i(len(leaves)) + b(root))
            heads[c] = (no + 1, bh)
            lines.append('B %s %d %d %s %s %s' % (c.hex(), no + 1, len(leaves), root.hex(), prev.hex(), bh.hex()))
            lines.extend(events); block_hashes.append(bh); all_leaves.extend(leaves)
    ph = sha(b'\x03' + i(pass_no) + b(prev_pass) + i(low) + i(seq) + b'\x03' + struct.pack('>I', len(block_hashes))
             + b''.join(b(h) for h in block_hashes))
    log.write('P %d %d %d %s %s\n' % (pass_no, low, seq, prev_pass.hex(), ph.hex()))
    log.write('\n'.join(lines) + '\n')
    prev_pass = ph
log.close()
# The streaming head: peaks merged like a binary counter.
peaks = []
for k, leaf in enumerate(all_leaves):
    h, m = leaf, k
    while m & 1:
        h = sha(b'\x01' + peaks.pop() + h); m >>= 1
    peaks.append(h)
root = peaks[-1]
for p in reversed(peaks[:-1]): root = sha(b'\x01' + p + root)
open(out + '/head', 'w').write('%d %d %s\n' % (pass_no, n, root.hex()))
open(out + '/proofs.tsv', 'w').close()
PY
read -r last_pass size head <"$DIR/export/head"
openssl ts -query -digest "$head" -sha256 -cert -no_nonce -out "$DIR/req.tsq" 2>/dev/null
"$REPO_ROOT/scripts/tsa.sh" reply "$DIR/tsa" "$DIR/req.tsq" "$DIR/resp.tsr"
openssl ts -reply -in "$DIR/resp.tsr" -token_out -out "$DIR/token.der" 2>/dev/null
echo "A 2026-01-01 $last_pass $size $head 0 $(od -An -v -tx1 "$DIR/token.der" | tr -d ' \n')" >"$DIR/export/anchors.tsv"
bytes=$(stat -c %s "$DIR/export/log.tsv")
cat "$DIR/export/log.tsv" >/dev/null # page cache: measure verification, not the disk
# Wall time is what a user waits; CPU time (user + sys, both threads) and the
# load average say how much of the machine other processes took meanwhile.
load=$(cut -d' ' -f1 /proc/loadavg)
start=$(date +%s.%N)
/usr/bin/time -o "$DIR/time" -f "%U %S %M" "$REPO_ROOT/build/tenant-audit" verify "$DIR/export" --ca "$DIR/tsa/ca.pem" --no-progress
end=$(date +%s.%N)
read -r user sys rss <"$DIR/time"
python3 -c "import sys; s=$end-$start; print('%d events, %.1f MB in %.2f s: %.0f events/s (CPU %.2f s, max RSS %d kB, load %s)' % ($size, $bytes/1e6, s, $size/s, $user+$sys, $rss, '$load'))"
