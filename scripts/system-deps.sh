#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing, or says exactly which to install.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# E-invoices: XSD validation, schematron through Saxon-HE (Java), PDF structure checks.
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
[ -f /usr/share/java/Saxon-HE.jar ] || need+=(libsaxonhe-java)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
# Several instances behind a load balancer (the cluster drill).
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
# Faults reported by email: one integration test against a real IMAP server on loopback.
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then need+=(postgresql); fi
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing Debian packages; install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
