#!/usr/bin/env bash
# Sets up what `make run` and `make test` need on a Debian or Ubuntu machine that
# has only git, make and python3 (README.md, "The two commands"; what it installs
# and where: doc/installation.md). The Makefile calls it before every target that
# runs Odoo, and .ci/run before the suite.
#
#   tools/bootstrap.sh [--venv=DIR] [--system=LEVEL] [--pg-role=NAME] [--dry-run]
#
#   --venv=DIR      make DIR a virtual environment that imports Odoo 18.0: Odoo from
#                   ODOO_SOURCE (a source checkout, an archive file or an archive
#                   URL; the official 18.0 source archive by default) and Odoo's
#                   Python requirements as binary wheels, pins adjusted for the
#                   Python that creates it (VENV_PYTHON, default python3)
#   --system=LEVEL  the system pieces: none; db (PostgreSQL answering, with a role
#                   for this user); run (db, wkhtmltopdf, fonts-noto-cjk); test
#                   (run, Chromium, poppler-utils, make)
#   --pg-role=NAME  the PostgreSQL role to create (default: PGUSER, else this user)
#   --dry-run       say what would be done; fetch, install and change nothing
#
# Missing system packages are installed with root or sudo, after saying which;
# without either the commands are printed and the script stops. A stamp in DIR
# records the source, the Python and the requirements set up: called again with
# the same ones, it returns at once.
set -euo pipefail

DEFAULT_ODOO_SOURCE=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz

# Lines of Odoo's requirements.txt that have no binary wheel for some Python that
# Odoo 18.0 supports (3.10 to 3.12), and what is installed instead. A line matches
# on its name and pinned version ("*": any); its environment marker is kept, so
# each Python still gets the line meant for it. Version "=" keeps the pinned one;
# name "-" leaves the requirement out.
REQUIREMENT_CHANGES='
# name       pinned  installed as     version
cbor2        5.4.2   cbor2            5.4.6    # no wheel for Python 3.10 and 3.11
gevent       21.8.0  gevent           21.12.0  # no wheel for Python 3.10
rjsmin       1.1.0   rjsmin           1.2.0    # no wheel for Python 3.10
rjsmin       1.2.0   rjsmin           1.2.2    # no wheel for Python 3.11 and 3.12
psycopg2     *       psycopg2-binary  =        # psycopg2 only builds from source
python-ldap  *       -                -        # builds from source; only auth_ldap uses it
'
# Requirements published only as source archives at the versions Odoo pins or
# needs: pure Python, built without a compiler. Everything else must be a wheel.
SOURCE_ONLY_PACKAGES=ofxparse,vobject,docopt,pypdf2,qrcode

# wkhtmltopdf 0.12.6.1 with patched Qt, the build Odoo recommends, by distribution
# codename and architecture, with the SHA-1 that Odoo's own Docker images (jammy)
# and other Odoo images (bookworm) pin. Ubuntu 24.04 takes the 22.04 build, as
# Odoo's 18.0 image does.
WKHTMLTOX_URL=https://github.com/wkhtmltopdf/packaging/releases/download/0.12.6.1-3
WKHTMLTOX_BUILDS='
bookworm amd64 wkhtmltox_0.12.6.1-3.bookworm_amd64.deb e9f95436298c77cc9406bd4bbd242f4771d0a4b2
bookworm arm64 wkhtmltox_0.12.6.1-3.bookworm_arm64.deb 77bc06be5e543510140e6728e11b7c22504080d4
jammy    amd64 wkhtmltox_0.12.6.1-3.jammy_amd64.deb    967390a759707337b46d1c02452e2bb6b2dc6d59
jammy    arm64 wkhtmltox_0.12.6.1-3.jammy_arm64.deb    90f6e69896d51ef77339d3f3a20f8582bdf496cc
noble    amd64 wkhtmltox_0.12.6.1-3.jammy_amd64.deb    967390a759707337b46d1c02452e2bb6b2dc6d59
noble    arm64 wkhtmltox_0.12.6.1-3.jammy_arm64.deb    90f6e69896d51ef77339d3f3a20f8582bdf496cc
'

STAMP_NAME=.bootstrap-stamp
OWNER_NAME=.bootstrap-owner

venv=
level=none
pg_role=
dry_run=0

say() { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf 'ERROR: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" >&2; done
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

for arg in "$@"; do
  case $arg in
    --venv=*) venv=${arg#--venv=} ;;
    --system=*) level=${arg#--system=} ;;
    --pg-role=*) pg_role=${arg#--pg-role=} ;;
    --dry-run) dry_run=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$arg' (tools/bootstrap.sh --help)" ;;
  esac
done
case $level in
  none | db | run | test) ;;
  *) die "--system=$level: expected none, db, run or test" ;;
esac
shown= # the venv as messages name it: relative to the current directory inside it
if [ -n "$venv" ]; then
  venv=$(realpath -m "$venv")
  shown=${venv#"$PWD"/}
fi

# ---------------------------------------------------------------------------
# Odoo in a virtual environment
# ---------------------------------------------------------------------------

odoo_source=${ODOO_SOURCE:-}
venv_python=${VENV_PYTHON:-python3}
source_kind= # dir, file or url
source_dir=  # the tree holding odoo/ and requirements.txt
base_python= # "X.Y /real/path/of/the/interpreter"

# ODOO_SOURCE, else the source the venv was set up from, else the official archive.
resolve_source() {
  if [ -z "$odoo_source" ] && [ -f "$venv/$STAMP_NAME" ]; then
    odoo_source=$(sed -n 's/^odoo_source //p' "$venv/$STAMP_NAME")
    if [[ ! $odoo_source =~ ^[A-Za-z][A-Za-z0-9+.-]*:// ]] && [ ! -e "$odoo_source" ]; then
      die "$shown/ was set up from $odoo_source, which is gone." \
        "Set ODOO_SOURCE to where Odoo 18.0 is now, or remove $shown/ to start over."
    fi
  fi
  odoo_source=${odoo_source:-$DEFAULT_ODOO_SOURCE}
  if [[ $odoo_source =~ ^[A-Za-z][A-Za-z0-9+.-]*:// ]]; then
    source_kind=url
    source_dir=$venv/src/odoo
  elif [ -d "$odoo_source" ]; then
    source_kind=dir
    odoo_source=$(cd "$odoo_source" && pwd -P)
    source_dir=$odoo_source
    if [ ! -f "$source_dir/odoo/release.py" ] || [ ! -f "$source_dir/requirements.txt" ]; then
      die "ODOO_SOURCE=$odoo_source is not an Odoo source tree (no odoo/release.py or requirements.txt)."
    fi
  elif [ -f "$odoo_source" ]; then
    source_kind='file'
    odoo_source=$(cd "$(dirname "$odoo_source")" && pwd -P)/$(basename "$odoo_source")
    source_dir=$venv/src/odoo
  else
    die "ODOO_SOURCE=$odoo_source is neither a URL, nor a directory, nor an archive file."
  fi
}

resolve_python() {
  have "$venv_python" || die "'$venv_python' not found: install python3 (3.10 to 3.12) or set VENV_PYTHON."
  base_python=$("$venv_python" -c 'import os, sys; print("%d.%d" % sys.version_info[:2], os.path.realpath(sys.executable))') ||
    die "'$venv_python' does not run."
  case ${base_python%% *} in
    3.10 | 3.11 | 3.12) ;;
    *) die "Odoo 18.0 runs on Python 3.10 to 3.12; '$venv_python' is Python ${base_python%% *}." \
      "Set VENV_PYTHON to one of those (for example VENV_PYTHON=python3.12)." ;;
  esac
}

# Odoo's requirements.txt ($1) with REQUIREMENT_CHANGES applied, on stdout.
adjusted_requirements() {
  "$venv_python" - "$1" "$REQUIREMENT_CHANGES" <<'PY'
import re
import sys

path, table = sys.argv[1], sys.argv[2]
changes = {}
for row in table.splitlines():
    fields = row.split("#", 1)[0].split()
    if fields:
        name, pinned, new_name, new_version = fields
        changes[name.lower(), pinned] = new_name, new_version
requirement = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*([^\s;#]+))?")
with open(path, encoding="utf-8") as lines:
    for line in lines:
        match = requirement.match(line)
        if line.lstrip().startswith("#") or not match:
            sys.stdout.write(line)
            continue
        name, version = match.groups()
        change = changes.get((name.lower(), version)) or changes.get((name.lower(), "*"))
        if not change:
            sys.stdout.write(line)
        elif change[0] == "-":
            sys.stdout.write("# left out by tools/bootstrap.sh: " + line)
        else:
            new_version = version if change[1] == "=" else change[1]
            pin = f"=={new_version}" if new_version else ""
            sys.stdout.write(change[0] + pin + line[match.end():])
PY
}

# What the stamp of a venv set up from this source with this Python says.
wanted_stamp() {
  local digest
  digest=$(adjusted_requirements "$source_dir/requirements.txt" | sha256sum)
  printf 'odoo_source %s\npython %s\nrequirements %s\n' "$odoo_source" "$base_python" "${digest%% *}"
}

venv_is_ready() {
  [ -x "$venv/bin/python" ] && [ -f "$venv/$STAMP_NAME" ] &&
    [ -f "$source_dir/requirements.txt" ] &&
    [ "$(grep -v '^#' "$venv/$STAMP_NAME")" = "$(wanted_stamp)" ]
}

source_series() {
  "$venv_python" -c 'import sys; d = {}; exec(open(sys.argv[1]).read(), d); print(d["series"])' \
    "$1/odoo/release.py"
}

fetch() { # URL FILE
  "$venv_python" - "$1" "$2" <<'PY'
import sys
import urllib.request

url, path = sys.argv[1:]
try:
    with urllib.request.urlopen(url, timeout=60) as response, open(path, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done = shown = 0
        while chunk := response.read(1 << 20):
            out.write(chunk)
            done += len(chunk)
            if total and done * 10 // total > shown:
                shown = done * 10 // total
                print(f"  {done >> 20} MB of {total >> 20} MB", flush=True)
except OSError as error:
    sys.exit(f"ERROR: cannot download {url}: {error}")
PY
}

# Unpack the archive $1 and move the tree in it that holds odoo/release.py to $2.
unpack() {
  local archive=$1 target=$2 work root
  work=$target.unpack
  rm -rf "$work" "$target"
  mkdir -p "$work"
  if "$venv_python" -c 'import sys, zipfile; sys.exit(not zipfile.is_zipfile(sys.argv[1]))' "$archive"; then
    "$venv_python" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
      "$archive" "$work"
  else
    tar -xf "$archive" -C "$work" || die "cannot unpack $archive."
  fi
  root=$(find "$work" -maxdepth 3 -path '*/odoo/release.py' -print -quit)
  [ -n "$root" ] || die "$odoo_source holds no Odoo source (no odoo/release.py)."
  mv "$(dirname "$(dirname "$root")")" "$target"
  rm -rf "$work"
}

describe_changes() {
  local row name pinned new_name new_version
  while read -r row; do
    row=${row%%#*}
    [ -n "${row// /}" ] || continue
    read -r name pinned new_name new_version <<<"$row"
    if [ "$new_name" = - ]; then
      say "    $name: left out"
    elif [ "$new_version" = = ]; then
      say "    $name: $new_name at the same version"
    else
      say "    $name $pinned: $new_name $new_version"
    fi
  done <<<"$REQUIREMENT_CHANGES"
}

describe_odoo_plan() {
  say "Odoo 18.0 would be set up in $shown/:"
  say "  Python: $venv_python (${base_python%% *}, ${base_python#* })"
  case $source_kind in
    url)
      say "  Odoo source: $odoo_source"
      [ "$odoo_source" != "$DEFAULT_ODOO_SOURCE" ] ||
        say "    (the official 18.0 source archive; ODOO_SOURCE may name a checkout or another archive)"
      say "    downloaded and unpacked into $source_dir"
      ;;
    file) say "  Odoo source: the archive $odoo_source, unpacked into $source_dir" ;;
    dir) say "  Odoo source: the checkout $odoo_source, used where it is (a .pth file)" ;;
  esac
  say "  Odoo's requirements.txt installed from the package index as binary wheels, with:"
  describe_changes
}

setup_odoo() {
  local owner_line purelib
  owner_line="python $base_python"
  if [ -e "$venv" ]; then
    [ -f "$venv/$OWNER_NAME" ] ||
      die "$shown/ exists and was not made by tools/bootstrap.sh; it is left alone." \
        "Remove it, or set PYTHON to a Python that imports Odoo 18.0."
    if [ "$(cat "$venv/$OWNER_NAME")" != "$owner_line" ] || ! "$venv/bin/python" -c '' 2>/dev/null; then
      say "Rebuilding $shown/: it was made with another Python, or its Python is gone."
      rm -rf "$venv"
    fi
  fi
  if [ ! -e "$venv" ]; then
    say "Creating the virtual environment $shown/ with $venv_python (${base_python%% *})..."
    "$venv_python" -m venv "$venv"
    printf '%s\n' "$owner_line" >"$venv/$OWNER_NAME"
  fi

  if [ "$source_kind" = dir ]; then
    rm -rf "$venv/src"
  elif [ ! -f "$source_dir/odoo/release.py" ] || [ "$(cat "$venv/src/.source" 2>/dev/null)" != "$odoo_source" ]; then
    mkdir -p "$venv/src"
    rm -f "$venv/src/.source"
    if [ "$source_kind" = url ]; then
      say "Downloading Odoo 18.0 from $odoo_source..."
      fetch "$odoo_source" "$venv/src/odoo.download"
      say "Unpacking it into $source_dir..."
      unpack "$venv/src/odoo.download" "$source_dir"
      rm -f "$venv/src/odoo.download"
    else
      say "Unpacking $odoo_source into $source_dir..."
      unpack "$odoo_source" "$source_dir"
    fi
    printf '%s\n' "$odoo_source" >"$venv/src/.source"
  fi
  local series
  series=$(source_series "$source_dir")
  [ "$series" = 18.0 ] || die "ODOO_SOURCE=$odoo_source is Odoo $series, not 18.0."

  adjusted_requirements "$source_dir/requirements.txt" >"$venv/odoo-requirements.txt"
  local wheels=(--only-binary=:all: "--no-binary=$SOURCE_ONLY_PACKAGES")
  if [ "$(uname -m)" != x86_64 ]; then
    # Some pinned requirements have no wheel for this architecture (libsass,
    # psutil): they build from source with the packages the system part added.
    wheels=(--prefer-binary)
  fi
  say "Installing Odoo's Python requirements into $shown/ (a few minutes the first time)..."
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar=off \
    "${wheels[@]}" -r "$venv/odoo-requirements.txt"

  purelib=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  printf '%s\n' "$source_dir" >"$purelib/odoo-source.pth"
  "$venv/bin/python" -c 'import sys, odoo.release as r; sys.exit(r.series != "18.0")' ||
    die "$shown/bin/python does not import Odoo 18.0 after the set-up (see the messages above)."
  {
    say "# Written by tools/bootstrap.sh: what $shown/ was set up from. Remove $shown/ to start over."
    wanted_stamp
  } >"$venv/$STAMP_NAME"
  say "Odoo 18.0 is set up in $shown/ (from $odoo_source)."
}

# ---------------------------------------------------------------------------
# System pieces
# ---------------------------------------------------------------------------

os_id='' os_like='' os_codename=''
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  os_id=$(. /etc/os-release && printf '%s' "${ID:-}")
  # shellcheck disable=SC1091
  os_like=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
  # shellcheck disable=SC1091
  os_codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
fi
apt_system=0
if have apt-get && have dpkg-query && [[ " $os_id $os_like " =~ \ (debian|ubuntu)\  ]]; then
  apt_system=1
fi

packages=()       # Debian packages to install
missing=()        # what is missing, for people
optional=()       # missing where this script cannot install: warned about only
wkhtmltox_deb=    # the patched wkhtmltopdf build to install: "file sha1"
pg_start=0        # a local PostgreSQL must be started
pg_role_needed=0  # the role must be created (known once PostgreSQL answers)

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

pg_is_local() {
  case ${PGHOST:-} in
    '' | /* | localhost | 127.0.0.1 | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

pg_answers() { pg_isready -q >/dev/null 2>&1; }
pg_role_exists() { psql -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; }
pg_clusters() { pg_lsclusters -h 2>/dev/null || true; }

need() { # PACKAGE WHAT
  packages+=("$1")
  missing+=("$2")
}
# Odoo runs without it: where this script cannot install it, only a warning.
want() { # PACKAGE WHAT
  if [ "$apt_system" = 1 ]; then
    need "$@"
  else
    optional+=("$2")
  fi
}

check_postgresql() {
  if ! have psql || ! have pg_isready || ! have createdb; then
    if pg_is_local; then
      need postgresql "PostgreSQL (server and client)"
      pg_start=1
      pg_role_needed=1
    else
      need postgresql-client "PostgreSQL client (psql, createdb)"
    fi
  elif pg_answers; then
    if ! pg_role_exists; then
      if [ -z "$pg_role" ] && { ! pg_is_local || [ -n "${PGUSER:-}${PGPASSWORD:-}" ]; }; then
        die "PostgreSQL answers but refuses the connection as ${PGUSER:-$(id -un)} (psql -d postgres)." \
          "Check PGHOST, PGPORT, PGUSER and PGPASSWORD, or name a role to create: --pg-role=NAME."
      fi
      pg_role_needed=1
    fi
  elif ! pg_is_local; then
    die "PostgreSQL at ${PGHOST}:${PGPORT:-5432} does not answer (pg_isready)." \
      "Start it, or unset PGHOST to use a local server (this script installs one)."
  else
    if [ -z "$(pg_clusters)" ]; then
      need postgresql "PostgreSQL server"
    else
      missing+=("a running PostgreSQL server")
    fi
    pg_start=1
    pg_role_needed=1
  fi
}

check_wkhtmltopdf() {
  have wkhtmltopdf && return
  local arch codename build_arch file sha1
  arch=$(dpkg --print-architecture 2>/dev/null || true)
  while read -r codename build_arch file sha1; do
    if [ -n "$codename" ] && [ "$codename" = "$os_codename" ] && [ "$build_arch" = "$arch" ]; then
      wkhtmltox_deb="$file $sha1"
    fi
  done <<<"$WKHTMLTOX_BUILDS"
  if [ -n "$wkhtmltox_deb" ]; then
    missing+=("wkhtmltopdf (the build with patched Qt: $WKHTMLTOX_URL/${wkhtmltox_deb%% *})")
  else
    want wkhtmltopdf "wkhtmltopdf (no build with patched Qt for ${os_codename:-this system} $arch: the distribution's)"
  fi
}

check_system() {
  [ "$level" != none ] || return 0
  check_postgresql
  if [ "$level" = run ] || [ "$level" = test ]; then
    check_wkhtmltopdf
    if [ "$apt_system" = 1 ]; then
      deb_installed fonts-noto-cjk || need fonts-noto-cjk "fonts-noto-cjk (Chinese in PDF reports)"
    elif ! { have fc-list && [ -n "$(fc-list :lang=zh family)" ]; }; then
      optional+=("a Chinese font such as Noto CJK (Chinese in PDF reports)")
    fi
  fi
  if [ "$level" = test ]; then
    if ! have chromium && ! have chromium-browser && ! have google-chrome && ! have google-chrome-stable; then
      if [ "$os_id" = ubuntu ]; then
        want chromium-browser "Chromium (browser tours)"
      else
        want chromium "Chromium (browser tours)"
      fi
    fi
    have pdftotext || want poppler-utils "poppler-utils (reading PDFs in tests)"
    have make || want make "make"
  fi
}

# What a new virtual environment needs from the system.
check_venv_system() {
  local version=${base_python%% *}
  if ! "$venv_python" -c 'import ensurepip' >/dev/null 2>&1; then
    need "python$version-venv" "python$version-venv (Python's venv module with pip)"
  fi
  if [ "$(uname -m)" != x86_64 ] && [ "$apt_system" = 1 ]; then
    local package
    for package in build-essential "python$version-dev" libpq-dev; do
      deb_installed "$package" || need "$package" "$package (requirements without wheels for $(uname -m))"
    done
  fi
}

as_root=() # how to run a command as root: empty when root, sudo else
root_available() {
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif have sudo && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    as_root=(sudo)
  else
    return 1
  fi
}
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres "$@"
  fi
}

role_name() { printf '%s' "${pg_role:-${PGUSER:-$(id -un)}}"; }

manual_commands() {
  local prefix='sudo ' postgres='sudo -u postgres '
  if [ "$(id -u)" -eq 0 ]; then
    prefix=
    postgres='runuser -u postgres -- '
  fi
  if ((${#packages[@]})) || [ -n "$wkhtmltox_deb" ]; then
    say "  ${prefix}apt-get update"
  fi
  if ((${#packages[@]})); then
    say "  ${prefix}apt-get install -y ${packages[*]}"
  fi
  if [ -n "$wkhtmltox_deb" ]; then
    say "  ${prefix}apt-get install -y ./${wkhtmltox_deb%% *}   # after downloading $WKHTMLTOX_URL/${wkhtmltox_deb%% *}"
  fi
  if [ "$pg_start" = 1 ]; then
    say "  ${prefix}pg_ctlcluster <version> main start   # if pg_isready says no server answers; pg_lsclusters lists the versions"
  fi
  if [ "$pg_role_needed" = 1 ]; then
    say "  ${postgres}createuser --superuser $(role_name)"
  fi
}

install_wkhtmltox() { # downloads and installs the patched build; 1 when it cannot be had
  local file=${wkhtmltox_deb%% *} sha1=${wkhtmltox_deb#* } work
  work=$(mktemp -d)
  say "Downloading wkhtmltopdf with patched Qt: $WKHTMLTOX_URL/$file..."
  if ! fetch "$WKHTMLTOX_URL/$file" "$work/$file" ||
    ! printf '%s  %s\n' "$sha1" "$work/$file" | sha1sum --check --status; then
    rm -rf "$work"
    return 1
  fi
  chmod 755 "$work" # apt reads local packages as its own user
  say "Installing system package: $file (wkhtmltopdf with patched Qt)"
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "$work/$file"
  rm -rf "$work"
}

unpatched_warning() {
  warn "the distribution's wkhtmltopdf is built without patched Qt: Odoo's own reports" \
    "print no header or footer there and fail for several records at once (this addon's" \
    "reports print anyway). The build Odoo recommends: https://github.com/wkhtmltopdf/packaging/releases"
}

start_postgresql() {
  local version cluster status rest
  if [ -z "$(pg_clusters)" ]; then
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)
    [ -n "$version" ] || die "PostgreSQL is installed but no server version is in /usr/lib/postgresql."
    say "Creating the PostgreSQL cluster $version/main..."
    "${as_root[@]}" pg_createcluster "$version" main
  fi
  say "Starting PostgreSQL..."
  if [ -d /run/systemd/system ] && have systemctl; then
    "${as_root[@]}" systemctl start postgresql
  else
    while read -r version cluster _ status rest; do
      [ "$status" = online ] ||
        "${as_root[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
    done < <(pg_clusters)
  fi
  local _
  for _ in $(seq 30); do
    pg_answers && return 0
    sleep 1
  done
  die "PostgreSQL does not answer after starting it (pg_isready; pg_lsclusters shows its state and log)."
}

apply_system() {
  local item
  for item in "${optional[@]}"; do warn "missing: $item (install it yourself)."; done
  if ! ((${#missing[@]})) && [ "$pg_role_needed" = 0 ]; then
    return 0
  fi
  if [ "$dry_run" = 1 ]; then
    say "System pieces missing (dry run: nothing is installed):"
    for item in "${missing[@]}"; do say "  - $item"; done
    [ "$pg_role_needed" = 0 ] || say "  - the PostgreSQL role $(role_name)"
    say "They would be set up with:"
    manual_commands
    return 0
  fi
  if [ "$apt_system" = 0 ]; then
    die "this machine lacks what Odoo needs, and this script installs it on Debian and Ubuntu only:" \
      "$(printf '  - %s\n' "${missing[@]}")" \
      "Install them (README.md, Prerequisites; doc/installation.md), then run make again."
  fi
  if ! root_available; then
    local role_item=()
    [ "$pg_role_needed" = 0 ] || role_item=("  - the PostgreSQL role $(role_name)")
    die "Odoo needs system pieces this machine lacks, and installing them needs root:" \
      "$(printf '  - %s\n' "${missing[@]}")" "${role_item[@]}" \
      "Run once, as root or with sudo (it installs them):" \
      "  sudo tools/bootstrap.sh --system=$level --pg-role=$(role_name)" \
      "or yourself:" "$(manual_commands)" \
      "then run make again."
  fi

  say "Setting up what this machine lacks${as_root[*]:+ (with ${as_root[*]})}:"
  for item in "${missing[@]}"; do say "  - $item"; done
  [ "$pg_role_needed" = 0 ] || say "  - the PostgreSQL role $(role_name)"
  if ((${#packages[@]})) || [ -n "$wkhtmltox_deb" ]; then
    say "Updating the package lists (apt-get update)..."
    "${as_root[@]}" apt-get update -q
  fi
  if [ -n "$wkhtmltox_deb" ] && ! install_wkhtmltox; then
    warn "the build of wkhtmltopdf with patched Qt cannot be had: installing the distribution's."
    packages+=(wkhtmltopdf)
  fi
  if ((${#packages[@]})); then
    say "Installing system packages: ${packages[*]}"
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "${packages[@]}"
  fi
  if [[ " ${packages[*]} " == *" wkhtmltopdf "* ]]; then
    unpatched_warning
  fi

  if [ "$pg_start" = 1 ] && ! pg_answers; then
    start_postgresql
  fi
  if [ "$level" != none ] && ! pg_role_exists; then
    say "Creating the PostgreSQL role $(role_name) (superuser, for Odoo's databases)..."
    as_postgres createuser --superuser "$(role_name)"
  fi
}

# ---------------------------------------------------------------------------

odoo_ready=1
if [ -n "$venv" ]; then
  resolve_source
  resolve_python
  if ! venv_is_ready; then
    odoo_ready=0
    check_venv_system
  fi
fi
check_system
apply_system

if [ -n "$venv" ]; then
  if [ "$odoo_ready" = 1 ]; then
    [ "$dry_run" = 0 ] || say "Odoo 18.0 in $shown/ is set up from $odoo_source ($shown/$STAMP_NAME): nothing to do."
  elif [ "$dry_run" = 1 ]; then
    describe_odoo_plan
  else
    setup_odoo
  fi
fi
