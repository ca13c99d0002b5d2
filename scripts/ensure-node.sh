# Sourced by scripts/r2p.sh and .ci/run: make sure a Node >= 22.12 is first on PATH.
# When the system Node is older, install Node 24 from the npm registry (the "node" package
# ships the binary) into .tools/node24 and use that. Nothing else is downloaded.
r2p_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

r2p_ensure_node() {
  local root="$1"
  local local_bin="$root/.tools/node24/node_modules/.bin"
  if [ -x "$local_bin/node" ]; then export PATH="$local_bin:$PATH"; fi
  if r2p_node_ok; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "r2p: Node.js 22.12 or later is required (found none, and no npm to install it with)." >&2
    return 1
  fi
  echo "r2p: Node $(node --version 2>/dev/null || echo '(none)') is older than 22.12; installing Node 24 into .tools/node24 ..." >&2
  mkdir -p "$root/.tools/node24"
  npm install --prefix "$root/.tools/node24" --no-save --no-audit --no-fund --loglevel=error node@24 >&2
  export PATH="$local_bin:$PATH"
  r2p_node_ok || { echo "r2p: could not install Node 24 locally." >&2; return 1; }
}
