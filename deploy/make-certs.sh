#!/usr/bin/env bash
# Makes a self-signed CA and certificates for ActorLsm nodes and clients, with openssl, for tests
# and local clusters (not for production: the CA key sits unencrypted beside the certificates).
#
#   deploy/make-certs.sh [-o DIR] [-d DAYS] [-p PFX_PASSWORD] NAME [HOST...]
#
# Writes into DIR (default ./certs), creating the CA on first use and reusing it afterwards:
#   ca.pem, ca.key                 the CA (trust ca.pem: actorlsm.tls.ca, actorlsm --tls-ca)
#   NAME.pem, NAME.key             the certificate of NAME and its private key (PEM, unencrypted)
#   NAME.pfx                       the same as PKCS#12 (password PFX_PASSWORD, default empty)
# NAME's certificate names 127.0.0.1, ::1 and localhost, NAME itself and every HOST (DNS names or IP
# addresses) in its subject alternative names, and may serve as a server and as a client
# certificate (node-to-node TLS on Akka.Remote is mutual). Example for the local 3-node cluster:
#   deploy/make-certs.sh node1; deploy/make-certs.sh node2; deploy/make-certs.sh node3
#   deploy/make-certs.sh client
set -euo pipefail

out=./certs
days=825
pfx_password=""
while getopts "o:d:p:h" opt; do
  case "$opt" in
    o) out=$OPTARG ;;
    d) days=$OPTARG ;;
    p) pfx_password=$OPTARG ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ]; then
  sed -n '2,15p' "$0" >&2
  exit 2
fi
name=$1
shift
case "$name" in
  *[!A-Za-z0-9._-]*|'') echo "make-certs.sh: NAME may hold only letters, digits, '.', '_' and '-'" >&2; exit 2 ;;
esac
command -v openssl >/dev/null || { echo "make-certs.sh: openssl not found" >&2; exit 1; }

mkdir -p "$out"
umask 077

if [ ! -f "$out/ca.pem" ] || [ ! -f "$out/ca.key" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -keyout "$out/ca.key" -out "$out/ca.pem" -subj "/CN=ActorLsm test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made CA $out/ca.pem"
fi

# Subject alternative names: loopback, the name, and every extra host (IP literal or DNS name).
sans="IP:127.0.0.1,IP:::1,DNS:localhost,DNS:$name"
for host in "$@"; do
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then
    sans="$sans,IP:$host"
  else
    sans="$sans,DNS:$host"
  fi
done

ext=$(mktemp)
trap 'rm -f "$ext" "$out/$name.csr"' EXIT
cat > "$ext" <<CONF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
CONF

openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$out/$name.key" -out "$out/$name.csr" -subj "/CN=$name" 2>/dev/null
openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial \
  -days "$days" -sha256 -extfile "$ext" -out "$out/$name.pem" 2>/dev/null
openssl pkcs12 -export -in "$out/$name.pem" -inkey "$out/$name.key" -certfile "$out/ca.pem" \
  -name "$name" -out "$out/$name.pfx" -passout "pass:$pfx_password"
chmod 644 "$out/ca.pem" "$out/$name.pem"
echo "made $out/$name.pem, $out/$name.key, $out/$name.pfx (SANs $sans)"
