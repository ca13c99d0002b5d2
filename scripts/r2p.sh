#!/usr/bin/env bash
# The two README commands land here:
#   npm start  -> set up (Node, dependencies, models), build, and serve on http://127.0.0.1:4321
#   npm test   -> set up, then run every test (unit, integration, end-to-end in Chromium)
#   npm run bench -> set up, then run the benchmarks (scripts/bench/run.ts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ensure-node.sh
source scripts/ensure-node.sh
r2p_ensure_node "$root"
export ONNXRUNTIME_NODE_INSTALL=skip

# Dependencies: (re)install when node_modules is missing or the lock file changed since.
stamp="node_modules/.r2p-lock-hash"
lock_hash="$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "r2p: installing dependencies (npm ci) ..."
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

# Models: from R2P_MODEL_MIRROR when set, else the pinned upstream URLs.
node scripts/install-models.ts

case "${1:-}" in
  start)
    npx astro build
    echo "r2p: serving http://127.0.0.1:${PORT:-4321}/ (Ctrl-C to stop)"
    exec npx astro preview --host 127.0.0.1 --port "${PORT:-4321}"
    ;;
  test)
    shift
    exec npx vitest run "$@"
    ;;
  bench)
    shift
    exec node scripts/bench/run.ts "$@"
    ;;
  *)
    echo "usage: scripts/r2p.sh start|test|bench" >&2
    exit 2
    ;;
esac
