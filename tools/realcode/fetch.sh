#!/usr/bin/env bash
# Fetch the pinned applications of apps.txt into DEST/apps (default ./realcode):
# the sdist when PyPI has one, else the wheel (some projects publish only
# wheels). Archives are unpacked, never installed, imported or run; note that
# pip runs an sdist's build backend to read its metadata.
set -uo pipefail
list="$(cd "$(dirname "$0")" && pwd)/apps.txt"
dest="${1:-realcode}"
mkdir -p "$dest/archives" "$dest/apps"
cd "$dest" || exit 2
one() {
  spec="$1"; d="archives/${spec/==/__}"; mkdir -p "$d"
  if pip download -q --no-deps --no-binary :all: "$spec" -d "$d" >/dev/null 2>&1; then
    for f in "$d"/*; do case "$f" in *.tar.gz) tar -xzf "$f" -C apps ;; *.zip) unzip -qo "$f" -d apps ;; esac; done
  elif pip download -q --no-deps --only-binary :all: "$spec" -d "$d" >/dev/null 2>&1; then
    mkdir -p "apps/${spec/==/-}" && unzip -qo "$d"/*.whl -d "apps/${spec/==/-}"
  else
    echo "not fetched: $spec" >&2
  fi
}
export -f one
xargs -P 6 -n 1 bash -c 'one "$0"' < "$list"
