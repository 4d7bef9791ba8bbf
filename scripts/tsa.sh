#!/usr/bin/env bash
# A local RFC 3161 time-stamp authority for the tests, made with `openssl ts`.
#   scripts/tsa.sh init DIR          a CA, a TSA certificate it signs (extendedKeyUsage
#                                    critical timeStamping), and a second, unrelated CA+TSA
#                                    under DIR/other (a token from it must not verify)
#   scripts/tsa.sh reply DIR REQ OUT answers the DER request REQ into OUT (DER response)
#   scripts/tsa.sh serve DIR PORT    an HTTP TSA on 127.0.0.1:PORT (POST application/timestamp-query);
#                                    writes DIR/http.pid; stop it with `kill $(cat DIR/http.pid)`
# DIR/refuse (a file) makes the authority answer with status "rejection".
set -euo pipefail

make_authority() {
	local dir=$1 name=$2
	mkdir -p "$dir"
	cat >"$dir/tsa.cnf" <<CNF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = $name
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $dir
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/tsa.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/CN=$name CA" -config "$dir/tsa.cnf" -extensions ca_ext \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name TSA" \
		-config "$dir/tsa.cnf" -keyout "$dir/tsa.key" -out "$dir/tsa.csr" 2>/dev/null
	openssl x509 -req -in "$dir/tsa.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 3650 -extfile "$dir/tsa.cnf" -extensions tsa_ext -out "$dir/tsa.pem" 2>/dev/null
	echo 01 >"$dir/serial"
}

reply() {
	local dir=$1 req=$2 out=$3
	if [ -e "$dir/refuse" ]; then
		# A refusal: a TimeStampResp holding only PKIStatusInfo { status rejection (2) }.
		printf '\x30\x05\x30\x03\x02\x01\x02' >"$out"
		return
	fi
	openssl ts -reply -config "$dir/tsa.cnf" -queryfile "$req" -out "$out" 2>/dev/null
}

serve() {
	local dir=$1 port=$2
	python3 - "$0" "$dir" "$port" >"$dir/http.log" 2>&1 <<'PY' &
import http.server, subprocess, sys, tempfile, os
script, tsa_dir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if self.headers.get('Content-Type') != 'application/timestamp-query':
            self.send_response(415); self.end_headers(); return
        with tempfile.TemporaryDirectory(dir=tsa_dir) as tmp:
            req, resp = os.path.join(tmp, 'req'), os.path.join(tmp, 'resp')
            open(req, 'wb').write(body)
            subprocess.run(['bash', script, 'reply', tsa_dir, req, resp], check=True)
            data = open(resp, 'rb').read()
        self.send_response(200)
        self.send_header('Content-Type', 'application/timestamp-reply')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
PY
	echo $! >"$dir/http.pid"
	for _ in $(seq 50); do
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return
		sleep 0.1
	done
	echo "tsa.sh: the HTTP TSA did not start on port $port" >&2
	exit 1
}

case ${1:-} in
init) make_authority "$2" "tenant_guard test"; make_authority "$2/other" "unrelated" ;;
reply) reply "$2" "$3" "$4" ;;
serve) serve "$2" "$3" ;;
*) echo "usage: $0 init DIR | reply DIR REQ OUT | serve DIR PORT" >&2; exit 2 ;;
esac
