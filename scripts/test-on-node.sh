#!/usr/bin/env bash
# Runs the test suite on another Node major, fetched from the npm registry (the
# node-linux-<arch> package holds the official binary), so no nvm and no download site is
# needed: `bash scripts/test-on-node.sh 26` (default: 26, the current LTS). Extra arguments go
# to `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:-26}"
shift || true
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "test-on-node: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
dir="${TMPDIR:-/tmp}/warren-node-$major-$arch"
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-$arch@$major" >/dev/null && tar xzf node-linux-"$arch"-*.tgz)
fi
export PATH="$dir/package/bin:$PATH"
echo "test-on-node: $(node --version) from $dir"
npm test -- "$@"
