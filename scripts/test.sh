#!/usr/bin/env bash
# Runs every test of CallCenter.Orleans on a fresh machine: installs the real peers the tests use when they are
# missing (Debian packages, chromium for the wallboard), builds, runs each test project, and ends with one line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

need_packages=()
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
command -v sipp >/dev/null 2>&1 || need_packages+=(sip-tester)
command -v baresip >/dev/null 2>&1 || need_packages+=(baresip)
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "Installing ${need_packages[*]} (Debian packages the tests run against)..."
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need_packages[@]}" >/dev/null || {
      echo "could not install ${need_packages[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The wallboard test drives the Debian chromium; Playwright must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if ! dotnet build CallCenter.Orleans.sln -c Debug -nologo -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

out_dir=$(mktemp -d)
status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Debug --no-build -nologo 2>&1 | tee "$out_dir/$name.log" | grep -E "^\s+Failed |Passed!|Failed!|error" || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

# Sum the runner's own summary lines: "Passed!  - Failed: 0, Passed: 189, Skipped: 0, Total: 189".
read -r passed failed skipped < <(cat "$out_dir"/*.log | awk '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
  }
  END { printf "%d %d %d\n", p, f, s }')
rm -rf "$out_dir"
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then status=1; failed=1; fi
[ "$failed" -eq 0 ] || status=1
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
exit $status
