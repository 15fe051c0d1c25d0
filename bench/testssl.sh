#!/usr/bin/env bash
# Checks Moat's TLS with testssl.sh (Debian package testssl.sh) on a STARTTLS listener and an
# implicit-TLS listener, each with an RSA and an ECDSA certificate, and prints testssl's findings of
# severity LOW and above plus its protocol and cipher sections. The result is recorded in
# docs/security.md.
#
# Usage: bench/testssl.sh [OUTDIR]     (needs root for apt-get if testssl.sh is missing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${1:-$(mktemp -d /tmp/moat-testssl.XXXXXX)}
mkdir -p "$OUT"
STARTTLS_PORT=${STARTTLS_PORT:-26587}
IMPLICIT_PORT=${IMPLICIT_PORT:-26465}
WORK=$(mktemp -d /tmp/moat-testssl-work.XXXXXX)

if ! command -v testssl >/dev/null; then
  echo "==> installing Debian's testssl.sh package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq testssl.sh >/dev/null
fi
if ! [ -x distribution/target/moat/bin/moat ]; then
  echo "==> building Moat"
  ./mvnw -B -q -DskipTests package
fi

echo "==> certificates (RSA 2048 and ECDSA P-256, self-signed for mx.moat.test)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/rsa-key.pem" -out "$WORK/rsa-cert.pem" -days 30 \
  -subj "/CN=mx.moat.test" -addext "subjectAltName=DNS:mx.moat.test" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ec-key.pem" -out "$WORK/ec-cert.pem" \
  -days 30 -subj "/CN=mx.moat.test" -addext "subjectAltName=DNS:mx.moat.test" 2>/dev/null
: > "$WORK/users"

{
  echo "server: {hostname: mx.moat.test, data-directory: $WORK/data}"
  echo "listeners:"
  echo "  - {name: submission, address: 127.0.0.1:$STARTTLS_PORT, role: submission,"
  echo "     tls: {mode: starttls, certificate: $WORK/rsa-cert.pem, key: $WORK/rsa-key.pem,"
  echo "           additional-certificates: [{certificate: $WORK/ec-cert.pem, key: $WORK/ec-key.pem}]}}"
  echo "  - {name: submissions, address: 127.0.0.1:$IMPLICIT_PORT, role: submissions,"
  echo "     tls: {mode: implicit, certificate: $WORK/rsa-cert.pem, key: $WORK/rsa-key.pem,"
  echo "           additional-certificates: [{certificate: $WORK/ec-cert.pem, key: $WORK/ec-key.pem}]}}"
  echo "limits: {max-connections-per-ip: 200, max-invalid-commands: 1000}"
  echo "auth: {users-file: $WORK/users}"
  echo "admin: {enabled: false}"
} > "$WORK/moat.yaml"

cleanup() {
  [ -n "${MOAT_PID:-}" ] && kill "$MOAT_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

distribution/target/moat/bin/moat --config "$WORK/moat.yaml" > "$OUT/moat.log" 2>&1 & MOAT_PID=$!
for _ in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/$IMPLICIT_PORT) 2>/dev/null && break; sleep 0.1; done

run() { # name testssl-args...
  local name=$1; shift
  echo "==> testssl $* (log: $OUT/$name.log)"
  # --sneaky/--ip one: no DNS; --warnings batch: never ask; exit code = number of findings, not an error
  testssl --quiet --color 0 --warnings batch --ip one --sneaky --jsonfile "$OUT/$name.json" "$@" \
    > "$OUT/$name.log" 2>&1 || true
  echo "--- $name: findings of severity LOW or higher"
  python3 - "$OUT/$name.json" <<'PY'
import json, sys
order = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
for f in json.load(open(sys.argv[1])):
    if order.get(f.get("severity"), 0) >= 1:
        print(f'{f["severity"]:8} {f["id"]:32} {f["finding"]}')
PY
  echo "--- $name: protocols"
  python3 - "$OUT/$name.json" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1])):
    if f["id"] in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "cipher_order", "TLS_session_ticket",
                   "secure_renego", "secure_client_renego", "CRIME_TLS", "fallback_SCSV", "cert_keySize"):
        print(f'{f["id"]:22} {f["severity"]:8} {f["finding"]}')
PY
}
run starttls --starttls smtp "127.0.0.1:$STARTTLS_PORT"
run implicit "127.0.0.1:$IMPLICIT_PORT"
echo "==> logs and JSON in $OUT"
