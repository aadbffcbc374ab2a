#!/usr/bin/env bash
# Builds fleet_<version>_<arch>.deb with Debian's own dpkg-deb: `npm run deb` (as root or not).
#
#   bash packaging/deb/build.sh [--tarball fleet-X.tgz] [--out DIR]
#
# The package is what `npm install -g` makes of fleet's npm tarball (so sqlite3's native module is
# built for this machine: hence <arch>, not all), moved to /usr/lib/fleet, plus /usr/bin/fleet, the
# systemd units and the maintainer scripts in this directory. Without --tarball it runs `npm pack`
# here first (its prepack script builds dist/src). Prints the path of the .deb on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tarball=""
out="$repo"
while [ $# -gt 0 ]; do
  case "$1" in
    --tarball) tarball="$(realpath "$2")"; shift 2 ;;
    --out) out="$(realpath "$2")"; shift 2 ;;
    *) echo "build.sh: unknown argument '$1' (usage: build.sh [--tarball FILE] [--out DIR])" >&2; exit 1 ;;
  esac
done
for tool in dpkg-deb dpkg dpkg-shlibdeps npm node strip gzip; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (Debian package: see README)" >&2; exit 1; }
done

version="$(node -p "require('$repo/package.json').version")"
arch="$(dpkg --print-architecture)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "$tarball" ]; then
  (cd "$repo" && npm pack --silent --pack-destination "$work" >/dev/null)
  tarball="$work/fleet-$version.tgz"
fi

# The install scripts that build native modules: sqlite3 (the results DB), ssh2 and its optional
# cpu-features (faster ciphers). npm 11 warns about, and will refuse, install scripts not allowed.
npm install -g --prefix "$work/prefix" --allow-scripts=sqlite3,ssh2,cpu-features \
  --no-audit --no-fund --loglevel=error "$tarball" >&2

root="$work/root"
lib="$root/usr/lib/fleet"
mkdir -p "$root/usr/lib" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/doc/fleet" \
  "$root/usr/share/lintian/overrides" "$root/DEBIAN"
mv "$work/prefix/lib/node_modules/fleet" "$lib"

# What only building needed: compiler outputs and inputs (the SQLite source tarball alone is 3 MB),
# and the build's config files, which record this machine's paths.
nm="$lib/node_modules"
rm -rf "$nm/sqlite3/deps" "$nm/sqlite3/src" "$nm/cpu-features/deps" "$nm/cpu-features/src"
find "$nm" -path '*/build/*' \( -name 'obj.target' -o -name '.deps' -o -name 'obj' \) -prune -exec rm -rf {} +
find "$nm" -path '*/build/*' \( -name '*.a' -o -name '*.mk' -o -name 'Makefile' -o -name 'config.gypi' \
  -o -name '*.Makefile' \) -delete
# Needed only to build native modules at install time, not at run time (node-gyp's Python gyp,
# node-addon-api's formatting tools), and other packages' development files.
rm -rf "$nm/node-gyp" "$nm/node-addon-api/tools"
find "$nm" \( -name '.eslintrc*' -o -name '.npmignore' \) -type f -delete
# The commands of what was removed (node_modules/.bin/node-gyp) would be dangling links.
find "$nm" -xtype l -delete
find "$nm" -name '*.node' -exec strip --strip-unneeded {} + -exec chmod 0644 {} +
# Some packages mark plain modules executable; only files with a #! line keep the bit.
find "$nm" -type f -perm /111 ! -name '*.node' -print0 | while IFS= read -r -d '' f; do
  [ "$(head -c2 "$f")" = '#!' ] || chmod a-x "$f"
done
# npm leaves files group-writable or without read bits for others in some packages.
find "$lib" -type d -exec chmod 0755 {} +
find "$lib" -type f -exec chmod go-w,a+r {} +

ln -s ../lib/fleet/bin/fleet.js "$root/usr/bin/fleet"
install -m 0644 "$here/fleet-daemon.service" "$here/fleet-worker@.service" "$root/lib/systemd/system/"
install -m 0644 "$here/copyright" "$root/usr/share/doc/fleet/copyright"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/fleet"
{
  printf 'fleet (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Packaged from the npm tarball of fleet %s.\n\n' "$version"
  # The date of the commit (or of package.json), so the same tree builds the same package.
  date_epoch="$(git -C "$repo" log -1 --format=%ct 2>/dev/null || stat -c %Y "$repo/package.json")"
  printf ' -- %s  %s\n' "${FLEET_DEB_MAINTAINER:-fleet contributors <fleet@example.org>}" \
    "$(date -u -R -d "@$date_epoch")"
} | gzip -9n > "$root/usr/share/doc/fleet/changelog.gz"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"

# The native modules' shared-library dependencies, as dpkg-shlibdeps computes them for any package
# (it wants a debian/control to exist; a minimal one in the work directory will do).
mkdir -p "$work/debian"
printf 'Source: fleet\n\nPackage: fleet\nArchitecture: any\n' > "$work/debian/control"
mapfile -t natives < <(find "$nm" -name '*.node' -type f)
shlibs="$(cd "$work" && dpkg-shlibdeps -O "${natives[@]/#/-e}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$shlibs" ] || { echo "build.sh: dpkg-shlibdeps found no library dependencies for ${natives[*]}" >&2; exit 1; }

installed_kb="$(du -sk --apparent-size "$root" --exclude=DEBIAN | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@SHLIBS@/$shlibs/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
  -e "s/@MAINTAINER@/${FLEET_DEB_MAINTAINER:-fleet contributors <fleet@example.org>}/" \
  "$here/control.in" > "$root/DEBIAN/control"

mkdir -p "$out"
deb="$out/fleet_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
