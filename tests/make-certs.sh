#!/usr/bin/env bash
# Make the certificates and keys the stand-in Resgrid server needs:
#
#   ca.pem ca.key               the test CA that clients are told to trust
#   server.pem server.key       localhost/127.0.0.1, signed by the test CA
#   wronghost.pem .key          signed by the test CA, but for another name
#   rogue-ca.pem                an unrelated CA that clients do not trust
#   rogue.pem rogue.key         localhost/127.0.0.1, signed by the rogue CA
#   expired.pem expired.key     localhost/127.0.0.1, test CA, long expired
#   idtoken.key                 RSA key that signs the stand-in's id_tokens
#
# Usage: make-certs.sh DIR.  Prints nothing unless a step fails.  TLS keys
# are EC P-256 because they are quick to make; the id_token key is RSA
# because the contract says id_tokens are RS256.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi

dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

work=$(mktemp -d ./.make-certs.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Run one openssl step quietly; show its output only if it fails.
run() {
  if ! "$@" >"$work/log" 2>&1; then
    echo "make-certs.sh: failed: $*" >&2
    cat "$work/log" >&2
    return 1
  fi
}

# A private configuration, so the host's openssl.cnf cannot add
# extensions or prompts of its own.
cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[localhost_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[wronghost_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ca]
default_ca = expired_ca

[expired_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any_policy
unique_subject = no
email_in_dn = no

[any_policy]
commonName = supplied
EOF
export OPENSSL_CONF="$work/openssl.cnf"

ec_key() {
  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$1"
}

# make_ca NAME CN: a self-signed CA, NAME.pem and NAME.key.
make_ca() {
  ec_key "$1.key"
  run openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 30 \
    -subj "/CN=$2" -extensions ca_ext -set_serial 1
}

# make_leaf NAME CA EXTENSIONS SERIAL CN: NAME.pem and NAME.key, valid
# for two days, signed by CA.pem/CA.key.
make_leaf() {
  ec_key "$1.key"
  run openssl req -new -key "$1.key" -out "$work/$1.csr" -subj "/CN=$5"
  run openssl x509 -req -in "$work/$1.csr" -out "$1.pem" -days 2 \
    -CA "$2.pem" -CAkey "$2.key" -set_serial "$4" \
    -extfile "$OPENSSL_CONF" -extensions "$3"
}

make_ca ca "pam_resgrid test CA"
make_leaf server ca localhost_ext 2 localhost
make_leaf wronghost ca wronghost_ext 3 wrong.example

make_ca "$work/rogue-ca" "pam_resgrid rogue CA"
cp "$work/rogue-ca.pem" rogue-ca.pem
make_leaf rogue "$work/rogue-ca" localhost_ext 2 localhost

# openssl 3.0's x509 command cannot back-date a certificate; its ca
# command can, given a throwaway database.
: >"$work/index.txt"
echo 04 >"$work/serial"
ec_key expired.key
run openssl req -new -key expired.key -out "$work/expired.csr" \
  -subj "/CN=localhost"
run openssl ca -batch -notext -in "$work/expired.csr" -out expired.pem \
  -cert ca.pem -keyfile ca.key -extensions localhost_ext \
  -extfile "$OPENSSL_CONF" \
  -startdate 20200101000000Z -enddate 20200102000000Z

run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
  -out idtoken.key

# Keys stay private to the owner; certificates are public.
chmod 644 ./*.pem
