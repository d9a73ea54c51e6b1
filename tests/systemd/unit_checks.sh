#!/usr/bin/env bash
# Checks the systemd integration files without a running systemd (works in a container where
# systemd is not PID 1) and without touching the host's /etc:
#   1. the configured heraldd.service passes `systemd-analyze verify` with no message about it;
#   2. its `systemd-analyze security --offline=yes` exposure is at most --max-exposure;
#   3. herald.sysusers and herald.tmpfiles apply cleanly to a scratch root (--root=).
# A missing tool is a failure, not a skip: scripts/setup.sh installs the systemd package.
#
# usage: unit_checks.sh --unit BUILT_UNIT --bindir INSTALL_BINDIR --heraldd CANDIDATE
#                       --sysusers FILE --tmpfiles FILE [--max-exposure 2.0]
set -euo pipefail

usage() {
  echo "usage: $0 --unit BUILT_UNIT --bindir INSTALL_BINDIR --heraldd CANDIDATE" \
    "--sysusers FILE --tmpfiles FILE [--max-exposure 2.0]" >&2
  exit 2
}

unit="" bindir="" heraldd="" sysusers="" tmpfiles="" max_exposure="2.0"
while (($# > 0)); do
  case "$1" in
    --unit) unit="${2:-}" ;;
    --bindir) bindir="${2:-}" ;;
    --heraldd) heraldd="${2:-}" ;;
    --sysusers) sysusers="${2:-}" ;;
    --tmpfiles) tmpfiles="${2:-}" ;;
    --max-exposure) max_exposure="${2:-}" ;;
    *) usage ;;
  esac
  shift 2 || usage
done
[[ -n $unit && -n $bindir && -n $heraldd && -n $sysusers && -n $tmpfiles ]] || usage

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

require_tool() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "FAIL: $1 not found; install the 'systemd' package (scripts/setup.sh does)" >&2
    exit 1
  fi
}
require_tool systemd-analyze
require_tool systemd-sysusers
require_tool systemd-tmpfiles
systemd-analyze --version | sed -n 1p

# No pager, no colours, no attempt to reach a service manager that is not there.
export SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 SYSTEMD_LOG_COLOR=0

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# --- The configured unit -----------------------------------------------------------------------
[[ -r $unit ]] || { echo "FAIL: no configured unit at $unit" >&2; exit 1; }
if grep -nE '@[A-Za-z_]+@' "$unit" >&2; then fail "$unit has unexpanded @VARIABLES@"; fi
installed="$bindir/heraldd"
grep -qxF "ExecStart=$installed --config /etc/herald/herald.toml" "$unit" ||
  fail "$unit: ExecStart= does not run $installed --config /etc/herald/herald.toml"
grep -qxF "ExecStartPre=$installed --check-config /etc/herald/herald.toml" "$unit" ||
  fail "$unit: ExecStartPre= does not run $installed --check-config /etc/herald/herald.toml"

# verify insists that every Exec*= command exists and is executable, so the copy under test
# runs the built heraldd, or /bin/true before there is one. Nothing else in the unit changes.
# The copy keeps the name heraldd.service: verify derives the unit name and type from it.
exe="$heraldd"
if [[ ! -x $exe ]]; then
  echo "note: $heraldd not built; verifying with ExecStart=/bin/true"
  exe=/bin/true
fi
copy="$scratch/heraldd.service"
while IFS= read -r line || [[ -n $line ]]; do
  printf '%s\n' "${line//"$installed"/$exe}"
done <"$unit" >"$copy"

# --- 1. systemd-analyze verify ------------------------------------------------------------------
# verify also loads the host's units that heraldd.service refers to (network-online.target,
# multi-user.target); problems in those are reported but are not ours, so only lines naming
# heraldd.service fail the test. verify does not resolve User=, so no herald user is needed.
set +e
verify_output="$(systemd-analyze verify "$copy" 2>&1)"
verify_status=$?
set -e
echo "--- systemd-analyze verify heraldd.service (exit $verify_status)"
if [[ -n $verify_output ]]; then printf '%s\n' "$verify_output"; fi
((verify_status == 0)) || fail "systemd-analyze verify exited with $verify_status"
if grep -q 'heraldd\.service' <<<"$verify_output"; then
  fail "systemd-analyze verify reported problems with heraldd.service"
fi

# --- 2. systemd-analyze security --offline=yes ------------------------------------------------
set +e
security_output="$(systemd-analyze security --offline=yes "$copy" 2>"$scratch/security.err")"
security_status=$?
set -e
if [[ -s $scratch/security.err ]]; then
  cat "$scratch/security.err" >&2
  grep -q 'heraldd\.service' "$scratch/security.err" &&
    fail "systemd-analyze security warned about heraldd.service"
fi
((security_status == 0)) || fail "systemd-analyze security exited with $security_status"
# "→ Overall exposure level for heraldd.service: 1.1 OK 🙂"
exposure="$(sed -n 's/.*Overall exposure level for heraldd\.service: \([0-9][0-9.]*\).*/\1/p' \
  <<<"$security_output")"
if [[ -z $exposure ]]; then
  printf '%s\n' "$security_output"
  fail "no overall exposure level in the output of systemd-analyze security"
else
  # The items that still count against the unit, for whoever wants to lower the score.
  grep '✗' <<<"$security_output" || true
  echo "exposure score: $exposure (limit $max_exposure)"
  if ! awk -v score="$exposure" -v limit="$max_exposure" 'BEGIN { exit !(score <= limit) }'; then
    fail "exposure $exposure is above $max_exposure"
  fi
fi

# --- 3. sysusers.d and tmpfiles.d -----------------------------------------------------------------
# Applied to a scratch root, never the host. With --root= both tools resolve file arguments
# inside the root, so the files go in on stdin.
root="$scratch/root"
mkdir -p "$root/etc"
if ! systemd-sysusers --root="$root" - <"$sysusers"; then
  fail "systemd-sysusers rejected $sysusers"
fi
herald_passwd="$(grep '^herald:' "$root/etc/passwd" || true)"
herald_gid="$(sed -n 's/^herald:[^:]*:\([0-9]*\):.*/\1/p' "$root/etc/group")"
IFS=: read -r _ _ _ _ _ home shell <<<"$herald_passwd"
[[ -n $herald_passwd && -n $herald_gid ]] || fail "$sysusers did not create user and group herald"
[[ ${home:-} == /var/lib/herald ]] || fail "herald's home is '${home:-}', not /var/lib/herald"
[[ ${shell:-} == */nologin ]] || fail "herald's shell is '${shell:-}', not nologin"

if ! systemd-tmpfiles --root="$root" --create - <"$tmpfiles"; then
  fail "systemd-tmpfiles rejected $tmpfiles"
elif [[ -n $herald_gid ]]; then
  actual="$(stat -c '%a %u %g' "$root/etc/herald" 2>/dev/null || echo missing)"
  [[ $actual == "750 0 $herald_gid" ]] ||
    fail "/etc/herald is '$actual' (mode uid gid), expected '750 0 $herald_gid' (root:herald 0750)"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all systemd checks passed"
