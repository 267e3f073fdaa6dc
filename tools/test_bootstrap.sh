#!/usr/bin/env bash
# `make test-bootstrap`: tools/bootstrap.sh on a copy of the repository, as on a
# machine whose python3 has no Odoo (the machine's python3 with its site-packages
# unread). ODOO_SOURCE is the source tree of the Odoo that --python imports; Odoo's
# requirements come from the package index into a new venv. Checks that:
#   - a dry run without ODOO_SOURCE names the official source archive, and
#     fetches and creates nothing;
#   - a PYTHON given to make is used as it is: no venv is made for it;
#   - `make bootstrap` makes .venv/, whose Python imports Odoo 18.0 from
#     ODOO_SOURCE with its own requirements (no python-ldap, pip check clean);
#   - make then runs Odoo with .venv/, and the addon installs with it into a
#     throwaway database;
#   - a second `make bootstrap` is quick, prints nothing and changes nothing;
#   - an archive URL as ODOO_SOURCE (file://, a small archive in a git checkout's
#     layout made from the same source) is fetched and unpacked into the venv,
#     which then imports Odoo from it, with both addons directories on the path.
# Prints PASS/FAIL per check and writes JUnit XML and the log into --results.
set -euo pipefail

DEFAULT_ODOO_SOURCE=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz
# A second `make bootstrap` checks a stamp and goes on: a few seconds at most.
SECOND_RUN_LIMIT=10

repo=$(cd "$(dirname "$0")/.." && pwd -P)
python=python3
db=sale_fulfillment_bootstrap
results=$repo/build/bootstrap-results
for arg in "$@"; do
  case $arg in
    --python=*) python=${arg#--python=} ;;
    --db=*) db=${arg#--db=} ;;
    --results=*) results=${arg#--results=} ;;
    *)
      echo "usage: $0 [--python=PYTHON] [--db=NAME] [--results=DIR]" >&2
      exit 2
      ;;
  esac
done
mkdir -p "$results"
results=$(cd "$results" && pwd -P)
log=$results/bootstrap.log
: >"$log"

odoo_source=$("$python" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(os.path.realpath(odoo.__file__))))') || {
  echo "ERROR: '$python' cannot import Odoo: the test needs its source tree as ODOO_SOURCE." >&2
  exit 1
}
real_python3=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')

work=$(mktemp -d "${TMPDIR:-/tmp}/sale_fulfillment-bootstrap.XXXXXX")
work=$(cd "$work" && pwd -P)
copy=$work/repo
cleanup() {
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# python3 as on a machine without Odoo: the machine's, its site-packages unread.
mkdir -p "$work/bin" "$copy"
printf '#!/bin/sh\nexec %q -S "$@"\n' "$real_python3" >"$work/bin/python3"
chmod +x "$work/bin/python3"
fresh_path=$work/bin:$PATH

# The repository as a clone has it (tracked and new files; no .venv/ or build/).
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    tar -C "$repo" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$copy" -xf -
else
  tar -C "$repo" --exclude=./.venv --exclude=./build --exclude=./.git -cf - . | tar -C "$copy" -xf -
fi

venv_python=$copy/.venv/bin/python
seconds_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }

# In the copy, as a new user: python3 without Odoo first on PATH.
in_copy() { (cd "$copy" && PATH=$fresh_path "$@"); }

check_dry_run_names_the_official_archive() {
  local out
  # A proxy that refuses every connection: whatever would be fetched fails.
  out=$(in_copy env -u ODOO_SOURCE https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
    HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
    tools/bootstrap.sh --venv=.venv --dry-run)
  printf '%s\n' "$out"
  grep -qF "Odoo source: $DEFAULT_ODOO_SOURCE" <<<"$out"
  [ ! -e "$copy/.venv" ]
}

check_given_python_is_used_as_it_is() {
  local out
  if out=$(in_copy make -s check-odoo PYTHON=python3 2>&1); then
    printf '%s\n' "$out"
    echo "make accepted a PYTHON that cannot import Odoo"
    return 1
  fi
  printf '%s\n' "$out"
  grep -qF "cannot import Odoo 18.0" <<<"$out"
  [ ! -e "$copy/.venv" ]
}

check_first_bootstrap_sets_up_odoo() {
  local start
  start=$(date +%s)
  in_copy env PIP_CACHE_DIR="$work/pip-cache" ODOO_SOURCE="$odoo_source" make bootstrap BOOTSTRAP_SYSTEM=db
  echo "$(($(date +%s) - start))" >"$work/first_seconds"
  echo "first bootstrap: $(cat "$work/first_seconds") s"
  [ -f "$copy/.venv/.bootstrap-stamp" ]
}

check_new_venv_imports_odoo_18() {
  "$venv_python" -c 'import odoo.release as r; assert r.series == "18.0", r.series'
  # Odoo from ODOO_SOURCE, every requirement from the venv itself.
  "$venv_python" -c 'import os, sys, odoo; assert os.path.realpath(odoo.__file__).startswith(sys.argv[1] + "/"), odoo.__file__' \
    "$odoo_source"
  "$venv_python" -c 'import sys, psycopg2, lxml, werkzeug
for module in (psycopg2, lxml, werkzeug):
    assert module.__file__.startswith(sys.prefix + "/"), module.__file__'
  if "$venv_python" -c 'import ldap' 2>/dev/null; then
    echo "python-ldap is installed"
    return 1
  fi
  "$venv_python" -m pip check --disable-pip-version-check
}

check_addon_installs_with_the_venv() {
  local out addons_path state
  out=$(in_copy make -s help)
  grep -qF "Odoo runs with $copy/.venv/bin/python" <<<"$out" || {
    printf '%s\n' "$out"
    echo "make does not run Odoo with $copy/.venv/bin/python"
    return 1
  }
  addons_path=$(in_copy make -s addons-path)
  echo "addons path: $addons_path"
  dropdb --if-exists "$db"
  "$venv_python" -m odoo --addons-path="$addons_path" -d "$db" -i sale_fulfillment \
    --without-demo=all --stop-after-init --log-level=warn --data-dir="$work/data"
  state=$(psql -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name = 'sale_fulfillment'")
  echo "sale_fulfillment: $state"
  dropdb "$db"
  [ "$state" = installed ]
}

check_second_bootstrap_is_a_no_op() {
  local before after start out second_seconds
  before=$(stat -c '%Y %s' "$copy/.venv/.bootstrap-stamp" "$copy/.venv/odoo-requirements.txt")
  start=$(date +%s.%N)
  # As a second `make run` would: ODOO_SOURCE unset, the venv keeps its source.
  out=$(in_copy env -u ODOO_SOURCE make -s bootstrap BOOTSTRAP_SYSTEM=db 2>&1)
  seconds_since "$start" >"$work/second_seconds"
  second_seconds=$(cat "$work/second_seconds")
  after=$(stat -c '%Y %s' "$copy/.venv/.bootstrap-stamp" "$copy/.venv/odoo-requirements.txt")
  echo "second bootstrap: $second_seconds s"
  if [ -n "$out" ]; then
    printf 'it printed:\n%s\n' "$out"
    return 1
  fi
  [ "$before" = "$after" ] || {
    echo "the stamp or the requirements were written again"
    return 1
  }
  awk -v s="$second_seconds" -v limit="$SECOND_RUN_LIMIT" 'BEGIN { exit !(s < limit) }' || {
    echo "it took more than $SECOND_RUN_LIMIT s"
    return 1
  }
}

check_archive_source_replaces_the_checkout() {
  local archive=$work/odoo-18.0.tar.gz out addons_path
  # A git checkout's layout in small: the odoo package with base only, apps beside it.
  (
    cd "$odoo_source"
    {
      find odoo -path odoo/addons -prune -o -type f -print
      echo odoo/addons/__init__.py
      find odoo/addons/base addons/base_setup -type f
      echo requirements.txt
    } | tar --transform 's,^,odoo-18.0/,' -T - -czf "$archive"
  )
  out=$(in_copy env ODOO_SOURCE="file://$archive" make -s bootstrap BOOTSTRAP_SYSTEM=none 2>&1)
  printf '%s\n' "$out"
  grep -qF "Downloading Odoo 18.0 from file://$archive" <<<"$out"
  grep -qx "odoo_source file://$archive" "$copy/.venv/.bootstrap-stamp"
  "$venv_python" -c 'import os, sys, odoo.release as r; assert r.series == "18.0"; assert os.path.realpath(r.__file__).startswith(sys.argv[1]), r.__file__' \
    "$copy/.venv/src/odoo/odoo/"
  addons_path=$(in_copy make -s addons-path)
  echo "addons path: $addons_path"
  [ "$addons_path" = "$copy/build/addons,$copy/.venv/src/odoo/addons,$copy/.venv/src/odoo/odoo/addons" ]
}

passed=0
failed=0
junit_cases=
xml_escape() {
  local text
  text=$(tr -d '\000-\010\013\014\016-\037')
  text=${text//&/&amp;}
  text=${text//</&lt;}
  text=${text//>/&gt;}
  printf '%s' "${text//\"/&quot;}"
}

run_check() {
  local name=$1 start seconds rc
  start=$(date +%s.%N)
  echo "=== $name" >>"$log"
  set +e
  (
    set -e
    "check_$name"
  ) >"$work/check.log" 2>&1
  rc=$?
  set -e
  seconds=$(seconds_since "$start")
  cat "$work/check.log" >>"$log"
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "PASS $name ($seconds s)"
    junit_cases+="<testcase classname=\"tools.test_bootstrap\" name=\"$name\" time=\"$seconds\"/>"
  else
    failed=$((failed + 1))
    echo "FAIL $name ($seconds s); its last lines ($log has all):"
    tail -n 25 "$work/check.log" | sed 's/^/    /'
    junit_cases+="<testcase classname=\"tools.test_bootstrap\" name=\"$name\" time=\"$seconds\">"
    junit_cases+="<failure message=\"exit status $rc\">$(tail -n 60 "$work/check.log" | xml_escape)</failure></testcase>"
  fi
}

echo "Bootstrapping a copy of the repository in $work with ODOO_SOURCE=$odoo_source"
echo "(Odoo's requirements come from the package index: a few minutes)"
run_check dry_run_names_the_official_archive
run_check given_python_is_used_as_it_is
run_check first_bootstrap_sets_up_odoo
run_check new_venv_imports_odoo_18
run_check addon_installs_with_the_venv
run_check second_bootstrap_is_a_no_op
run_check archive_source_replaces_the_checkout

printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="bootstrap" tests="%d" failures="%d">%s</testsuite></testsuites>\n' \
  $((passed + failed)) "$failed" "$junit_cases" >"$results/junit.xml"
echo "Times: first bootstrap $(cat "$work/first_seconds" 2>/dev/null || echo ?) s," \
  "second $(cat "$work/second_seconds" 2>/dev/null || echo ?) s. Log and JUnit XML in $results/"
echo "bootstrap: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
