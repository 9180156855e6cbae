#!/usr/bin/env bash
# Installs Debian's postfix (the oracle of the differential test, SPEC §7.5) when it is missing.
# Non-interactive and nothing starts system-wide: debconf "No configuration" writes no
# /etc/postfix/main.cf, and a policy-rc.d that denies every start is put in place for the
# duration of the install when the machine has none. sasl2-bin + libsasl2-modules serve the
# SASL cases (saslpasswd2, the sasldb auxprop plug-in); swaks is not needed (own client).
set -euo pipefail

need=()
[ -x /usr/lib/postfix/sbin/master ] || need+=(postfix)
command -v saslpasswd2 >/dev/null 2>&1 || need+=(sasl2-bin)
compgen -G '/usr/lib/*/sasl2/libsasldb.so*' >/dev/null || need+=(libsasl2-modules-db libsasl2-modules)
if [ ${#need[@]} -eq 0 ]; then
  echo "install-postfix: already installed ($(/usr/sbin/postconf -dh mail_version 2>/dev/null))"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-postfix: need root to install ${need[*]}" >&2
  exit 2
fi

# Deny service starts while installing, unless the machine already has a policy.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-postfix: installed ${need[*]} ($(/usr/sbin/postconf -dh mail_version))"
