# The production commands of bin/clearance (which sources this file):
#   prod-setup CONF      install or refresh the runtime, the database and its settings
#   prod-serve CONF      serve (Odoo's workers, a cron thread, long-polling), not as root
#   prod-files CONF DIR  the nginx site, systemd units and logrotate rule for this server
#   prod-backup CONF [ARCHIVE]          database and filestore in one archive
#   prod-restore CONF ARCHIVE DATABASE  an archive under a new database name
#   prod-upgrade CONF    a backup, the new code, then every addon updated
# CONF is the university's production.conf (deploy/production.conf.example).
# The variables and helpers of bin/clearance (ROOT, VENV, PGBIN, log, addons,
# setup_apt, setup_python, setup_node) are in scope.

PROD_APT_PACKAGES=(nginx logrotate openssl patchelf)

# The settings of production.conf as P_* variables (validated).
prod_load() {
  local conf="${1:-}"
  [ -n "$conf" ] && [ -f "$conf" ] || { log "no production configuration file: '${conf}' (see deploy/production.conf.example)"; exit 2; }
  PCONF="$(cd "$(dirname "$conf")" && pwd)/$(basename "$conf")"
  local assignments
  assignments="$(python3 - "$PCONF" <<'PY'
import configparser
import os
import re
import shlex
import sys

parser = configparser.ConfigParser(interpolation=None)
with open(sys.argv[1], encoding="utf-8") as handle:
    parser.read_file(handle)


def get(section, key, default=""):
    return parser.get(section, key, fallback=default).strip() or default


def fail(message):
    sys.stderr.write("production.conf: %s\n" % message)
    sys.exit(2)


values = {
    "P_DB": get("server", "database", "clearance"),
    "P_URL": get("server", "public_url"),
    "P_HTTP_PORT": get("server", "http_port", "8069"),
    "P_LP_PORT": get("server", "longpolling_port", "8072"),
    "P_USER": get("server", "user", "clearance"),
    "P_WORKERS": get("server", "workers", str(2 * os.cpu_count() + 1)),
    "P_PREFIX": get("server", "prefix", "/opt/clearance"),
    "P_DATA": get("server", "data_dir", "/var/lib/clearance"),
    "P_BACKUPS": get("server", "backup_dir", "/var/backups/clearance"),
    "P_ACCOUNTING": get("server", "accounting", "true").lower(),
    "P_PGHOST": get("postgresql", "host"),
    "P_PGPORT": get("postgresql", "port", "5432"),
    "P_PGUSER": get("postgresql", "user", "clearance"),
    "P_PGPASSWORD": get("postgresql", "password"),
    "N_SERVER_NAME": get("nginx", "server_name", "_"),
    "N_CERT": get("nginx", "certificate"),
    "N_KEY": get("nginx", "certificate_key"),
    "N_HTTPS_PORT": get("nginx", "https_port", "443"),
    "N_HTTP_PORT": get("nginx", "http_port", "80"),
    "N_UPSTREAMS": get("nginx", "upstreams"),
}
if not re.match(r"^[A-Za-z0-9_-]+$", values["P_DB"]):
    fail("database: letters, digits, _ and - only")
if not values["P_URL"].startswith("https://"):
    fail("public_url: the https:// address students type")
for key in ("P_HTTP_PORT", "P_LP_PORT", "P_WORKERS", "P_PGPORT",
            "N_HTTPS_PORT", "N_HTTP_PORT"):
    if not values[key].isdigit():
        fail("%s: a number, not %r" % (key, values[key]))
if values["P_USER"] in ("root", "postgres") or not re.match(
        r"^[a-z_][a-z0-9_-]*$", values["P_USER"]):
    fail("user: a system user of its own, never root")
for key in ("P_PREFIX", "P_DATA", "P_BACKUPS"):
    if not values[key].startswith("/"):
        fail("%s: an absolute path" % key)
if values["P_ACCOUNTING"] not in ("true", "false"):
    fail("accounting: true or false")
for key, value in values.items():
    print("%s=%s" % (key, shlex.quote(value)))
PY
)" || exit 2
  eval "$assignments"
  P_CONF_DIR="$P_DATA/etc"
  P_ODOO_CONF="$P_CONF_DIR/odoo.conf"
  P_LOGS="$P_DATA/log"
  P_PGDATA="$P_DATA/pgdata"
  P_PGSOCK="$P_DATA/run"
  P_PGLOGS="$P_DATA/pglog"
  P_SRC="$P_PREFIX/src"
  P_PY="$P_PREFIX/venv/bin/python"
  P_PRIVATE_PG=""
  [ -n "$P_PGHOST" ] || P_PRIVATE_PG=1
}

prod_root() {
  [ "$(id -u)" -eq 0 ] || { log "this command runs as root (it acts as the users '$P_USER' and 'postgres')"; exit 2; }
}

# The project's addons for production: every one, Accounting's bridge only
# when the university has Accounting.
prod_addons() {
  local name
  for name in $(addons); do
    [ "$name" = clearance_account ] && [ "$P_ACCOUNTING" = false ] && continue
    echo "$name"
  done
}

as_user() { runuser -u "$P_USER" -- env HOME="$P_DATA" "$@"; }
as_postgres() { runuser -u postgres -- "$@"; }

# psql as the cluster's administrator (private cluster) or as the database's
# role (a PostgreSQL of the university's).
prod_psql() {
  if [ -n "$P_PRIVATE_PG" ]; then
    as_postgres "$PGBIN/psql" -X -h "$P_PGSOCK" -p "$P_PGPORT" -v ON_ERROR_STOP=1 "$@"
  else
    PGPASSWORD="$P_PGPASSWORD" "$PGBIN/psql" -X -h "$P_PGHOST" -p "$P_PGPORT" -U "$P_PGUSER" -v ON_ERROR_STOP=1 "$@"
  fi
}

prod_user() {
  id -u "$P_USER" >/dev/null 2>&1 && return 0
  log "creating the system user '$P_USER'"
  useradd --system --home-dir "$P_DATA" --no-create-home --shell /usr/sbin/nologin "$P_USER"
}

# The runtime under the prefix, readable by the service user: a copy of the
# Python 3.7 that made .venv, the venv, and the release's addons (the
# checkout may sit where the service user cannot read, e.g. under /root).
prod_runtime() {
  local home python_dir want
  home="$(sed -n 's/^home = //p' "$VENV/pyvenv.cfg")"
  python_dir="$(dirname "$home")"
  want="$(hash_of "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" "$VENV/.installed")-$python_dir"
  mkdir -p "$P_PREFIX"
  if [ ! -f "$P_PREFIX/.runtime" ] || [ "$(cat "$P_PREFIX/.runtime")" != "$want" ]; then
    log "installing the runtime (Python 3.7 and its environment) in $P_PREFIX"
    rm -rf "$P_PREFIX/python" "$P_PREFIX/venv"
    cp -a "$python_dir" "$P_PREFIX/python"
    # A Python built with --enable-shared finds its library where it was
    # built; the copy finds it beside itself.
    local binary
    for binary in "$P_PREFIX"/python/bin/python3*; do
      [ -L "$binary" ] || ! patchelf --print-rpath "$binary" >/dev/null 2>&1 ||
        patchelf --set-rpath '$ORIGIN/../lib' "$binary"
    done
    cp -a "$VENV" "$P_PREFIX/venv"
    local link
    for link in "$P_PREFIX"/venv/bin/python*; do
      [ -L "$link" ] && ln -sfn "$P_PREFIX/python/bin/$(basename "$(readlink "$link")")" "$link"
    done
    sed -i "s|^home = .*|home = $P_PREFIX/python/bin|" "$P_PREFIX/venv/pyvenv.cfg"
    echo "$want" > "$P_PREFIX/.runtime"
  fi
  log "installing this release's addons in $P_SRC"
  rm -rf "$P_SRC.new"
  mkdir -p "$P_SRC.new"
  local name
  for name in $(addons) bin deploy node_modules; do
    cp -a "$ROOT/$name" "$P_SRC.new/"
  done
  ln -s "$P_PREFIX/venv" "$P_SRC.new/.venv"
  (cd "$ROOT" && git rev-parse HEAD 2>/dev/null || echo unknown) > "$P_SRC.new/RELEASE"
  rm -rf "$P_SRC.old"
  [ -d "$P_SRC" ] && mv "$P_SRC" "$P_SRC.old"
  mv "$P_SRC.new" "$P_SRC"
  rm -rf "$P_SRC.old"
  chmod -R a+rX "$P_PREFIX"
  as_user "$P_PY" -c "import odoo" || { log "the user '$P_USER' cannot run $P_PY"; exit 1; }
}

# The private cluster: durable (fsync, full_page_writes, checksums), on a
# Unix socket only, password (SCRAM) for the database's role.
prod_postgres() {
  [ -n "$P_PRIVATE_PG" ] || return 0
  mkdir -p "$P_PGSOCK"
  chown postgres:postgres "$P_PGSOCK"
  chmod 755 "$P_PGSOCK"
  if [ ! -f "$P_PGDATA/PG_VERSION" ]; then
    log "creating the database cluster in $P_PGDATA (fsync, full_page_writes and checksums on)"
    mkdir -p "$P_PGDATA"
    chown postgres:postgres "$P_PGDATA"
    chmod 700 "$P_PGDATA"
    as_postgres "$PGBIN/initdb" -D "$P_PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --data-checksums --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    cat > "$P_PGDATA/pg_hba.conf" <<HBA
# The cluster's administrator by peer; every other role by password.
local all postgres peer
local all all scram-sha-256
HBA
    cat >> "$P_PGDATA/postgresql.conf" <<PGCONF

# clearance production (bin/clearance prod-setup)
listen_addresses = ''
unix_socket_directories = '$P_PGSOCK'
port = $P_PGPORT
fsync = on
full_page_writes = on
synchronous_commit = on
password_encryption = scram-sha-256
max_connections = 200
PGCONF
    chown postgres:postgres "$P_PGDATA/pg_hba.conf" "$P_PGDATA/postgresql.conf"
  fi
  prod_start_postgres
  if ! prod_psql -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$P_PGUSER'" | grep -q 1; then
    P_PGPASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
    prod_psql -d postgres -qc "CREATE ROLE \"$P_PGUSER\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$P_PGPASSWORD'"
    (umask 077 && echo "$P_PGPASSWORD" > "$P_DATA/.pgpassword")
  fi
  P_PGPASSWORD="$(cat "$P_DATA/.pgpassword")"
  prod_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$P_DB'" | grep -q 1 ||
    prod_psql -d postgres -qc "CREATE DATABASE \"$P_DB\" OWNER \"$P_PGUSER\" ENCODING 'UTF8'"
}

# A PostgreSQL of the university's: its administrator made the role and the
# database; Odoo gets in as that role, which owns the database and is no
# superuser (a superuser's password opens every database of the server).
prod_check_postgres() {
  local facts
  if ! facts="$(prod_psql -d "$P_DB" -tAc "SELECT r.rolsuper, d.datdba = r.oid
      FROM pg_roles r, pg_database d
      WHERE r.rolname = current_user AND d.datname = current_database()" 2>&1)"; then
    log "cannot reach the database '$P_DB' at $P_PGHOST:$P_PGPORT as '$P_PGUSER':"
    log "  $facts"
    log "its administrator creates them first (README, Production):"
    log "  CREATE ROLE \"$P_PGUSER\" LOGIN PASSWORD '...'; CREATE DATABASE \"$P_DB\" OWNER \"$P_PGUSER\";"
    exit 1
  fi
  case "$facts" in
    "f|t") log "PostgreSQL at $P_PGHOST:$P_PGPORT: '$P_PGUSER' owns '$P_DB' and is no superuser" ;;
    t\|*) log "the role '$P_PGUSER' is a superuser: give Odoo a role of its own that owns '$P_DB' and nothing more"; exit 1 ;;
    *) log "the role '$P_PGUSER' does not own the database '$P_DB': ALTER DATABASE \"$P_DB\" OWNER TO \"$P_PGUSER\""; exit 1 ;;
  esac
}

prod_start_postgres() {
  [ -n "$P_PRIVATE_PG" ] || return 0
  mkdir -p "$P_PGSOCK" "$P_PGLOGS"
  chown postgres:postgres "$P_PGSOCK" "$P_PGLOGS"
  as_postgres "$PGBIN/pg_isready" -q -h "$P_PGSOCK" -p "$P_PGPORT" ||
    as_postgres "$PGBIN/pg_ctl" -D "$P_PGDATA" -l "$P_PGLOGS/postgresql.log" -w start >/dev/null
}

# Odoo's configuration: written at each prod-setup, readable by the service
# user only; the master password is made once and only its hash is kept.
prod_odoo_conf() {
  mkdir -p "$P_CONF_DIR" "$P_LOGS" "$P_DATA/filestore"
  local master_file="$P_CONF_DIR/master-password.hash"
  if [ ! -s "$master_file" ]; then
    (umask 077 && "$VENV/bin/python" - "$master_file" <<'PY'
import secrets
import sys

from passlib.hash import pbkdf2_sha512

password = secrets.token_urlsafe(18)
with open(sys.argv[1], "w") as handle:
    handle.write(pbkdf2_sha512.hash(password) + "\n")
sys.stderr.write(
    "\033[1m[clearance]\033[0m database manager master password (shown only "
    "now, keep it): %s\n" % password)
PY
    )
  fi
  local db_host="$P_PGSOCK"
  [ -n "$P_PRIVATE_PG" ] || db_host="$P_PGHOST"
  (umask 027 && cat > "$P_ODOO_CONF" <<CONF
; Written by bin/clearance prod-setup from $PCONF: change that file instead.
[options]
addons_path = $P_SRC,$("$P_PY" -c 'import odoo.addons; print(odoo.addons.__path__[0])')
admin_passwd = $(cat "$master_file")
db_host = $db_host
db_port = $P_PGPORT
db_user = $P_PGUSER
db_password = $P_PGPASSWORD
db_name = $P_DB
dbfilter = ^$P_DB\$
list_db = False
without_demo = all
proxy_mode = True
http_interface = 127.0.0.1
http_port = $P_HTTP_PORT
longpolling_port = $P_LP_PORT
workers = $P_WORKERS
max_cron_threads = 1
; wkhtmltopdf inherits the worker's limit: 1 GiB crashes it on a certificate
limit_memory_soft = 2147483648
limit_memory_hard = 2684354560
; a bulk action on 500 requests, and a certificate, finish within these
limit_time_cpu = 600
limit_time_real = 1200
limit_time_real_cron = 1200
limit_request = 8192
data_dir = $P_DATA/filestore
logfile = $P_LOGS/odoo.log
log_level = info
CONF
  )
  chown root:"$P_USER" "$P_ODOO_CONF"
  chmod 640 "$P_ODOO_CONF"
  chown -R "$P_USER": "$P_DATA/filestore" "$P_LOGS"
  chmod 755 "$P_DATA" "$P_CONF_DIR"
}

prod_odoo() { as_user "$P_SRC/bin/odoo" -c "$P_ODOO_CONF" "$@"; }

prod_installed() {
  prod_psql -d "$P_DB" -tAc "SELECT 1 FROM pg_tables WHERE tablename = 'ir_module_module'" | grep -q 1
}

cmd_prod_setup() {
  prod_load "${1:-}"
  prod_root
  [ -n "$P_PRIVATE_PG" ] || prod_check_postgres
  setup_apt
  local missing=() p
  for p in "${PROD_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  setup_python
  setup_node
  prod_user
  mkdir -p "$P_DATA" "$P_BACKUPS"
  chmod 755 "$P_DATA"
  prod_runtime
  prod_postgres
  prod_odoo_conf
  local names new_password=""
  names="$(prod_addons | paste -sd, -)"
  if ! prod_installed; then
    local install_log rc=0
    install_log="$P_LOGS/install-$(date -u +%Y%m%dT%H%M%SZ).log"
    log "installing $names into $P_DB, without demo data, in Persian (a few minutes; log: $install_log)"
    prod_odoo -d "$P_DB" -i "$names" --without-demo=all --load-language=fa_IR \
      --stop-after-init --logfile="$install_log" || rc=$?
    if [ $rc -ne 0 ] || grep -qE " (ERROR|CRITICAL) " "$install_log"; then
      grep -E -A20 " (ERROR|CRITICAL) " "$install_log" | head -60 >&2 || true
      log "the installation FAILED (exit status $rc; see $install_log)"; exit 1
    fi
    new_password=--new-admin-password
  fi
  log "applying the university's settings"
  as_user "$P_PY" "$P_SRC/deploy/configure.py" "$P_ODOO_CONF" "$P_DB" "$PCONF" $new_password
  log "ready: bin/clearance prod-serve $PCONF (or its systemd unit: bin/clearance prod-files $PCONF DIR)"
}

# The command that serves: the database, filter and ports of production.conf
# (a second server on the same machine differs only in its ports).
prod_serve_command() {
  echo "$P_SRC/bin/odoo -c $P_ODOO_CONF -d $P_DB --db-filter ^$P_DB\$ --http-port $P_HTTP_PORT --longpolling-port $P_LP_PORT"
}

cmd_prod_serve() {
  prod_load "${1:-}"
  local command
  command="$(prod_serve_command)"
  if [ "$(id -u)" -eq 0 ]; then
    prod_start_postgres
    # shellcheck disable=SC2086
    exec runuser -u "$P_USER" -- env HOME="$P_DATA" $command
  fi
  # shellcheck disable=SC2086
  exec $command
}

# A template of deploy/ with @NAME@ replaced by the variable NAME's value.
prod_render() {
  python3 - "$1" <<'PY'
import os
import re
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    text = handle.read()
sys.stdout.write(re.sub(r"@([A-Z_]+)@", lambda m: os.environ[m.group(1)], text))
PY
}

cmd_prod_files() {
  prod_load "${1:-}"
  local dir="${2:-}"
  [ -n "$dir" ] || { log "usage: bin/clearance prod-files CONF DIR"; exit 2; }
  mkdir -p "$dir"
  local upstreams="" longpolling="" entry host port lport
  for entry in ${N_UPSTREAMS:-127.0.0.1:$P_HTTP_PORT:$P_LP_PORT}; do
    IFS=: read -r host port lport <<< "$entry"
    upstreams+="    server $host:$port max_fails=1 fail_timeout=10s;"$'\n'
    longpolling+="    server $host:${lport:-8072} max_fails=1 fail_timeout=10s;"$'\n'
  done
  local https_suffix=""
  [ "$N_HTTPS_PORT" = 443 ] || https_suffix=":$N_HTTPS_PORT"
  local odoo_command
  odoo_command="$(prod_serve_command)"
  SERVER_NAME="$N_SERVER_NAME" CERTIFICATE="$N_CERT" CERTIFICATE_KEY="$N_KEY" \
  HTTPS_PORT="$N_HTTPS_PORT" HTTP_PORT="$N_HTTP_PORT" HTTPS_SUFFIX="$https_suffix" \
  UPSTREAMS="${upstreams%$'\n'}" LONGPOLLING_UPSTREAMS="${longpolling%$'\n'}" \
    prod_render "$ROOT/deploy/nginx/clearance.conf" > "$dir/clearance-nginx.conf"
  # systemd reads "$$" as a dollar sign
  SERVICE_USER="$P_USER" DATA_DIR="$P_DATA" ODOO_COMMAND="${odoo_command//\$/\$\$}" \
    prod_render "$ROOT/deploy/systemd/clearance-odoo.service" > "$dir/clearance-odoo.service"
  if [ -n "$P_PRIVATE_PG" ]; then
    PGBIN="$PGBIN" PGDATA="$P_PGDATA" PGLOGS="$P_PGLOGS" \
      prod_render "$ROOT/deploy/systemd/clearance-postgresql.service" > "$dir/clearance-postgresql.service"
  fi
  SERVICE_USER="$P_USER" LOGS="$P_LOGS" PGLOGS="$P_PGLOGS" \
    prod_render "$ROOT/deploy/logrotate/clearance" > "$dir/clearance.logrotate"
  log "wrote $(cd "$dir" && ls | paste -sd' ' -) in $dir"
}

# The database (pg_dump's custom format) and its filestore in one archive.
cmd_prod_backup() {
  prod_load "${1:-}"
  prod_root
  prod_start_postgres
  [ -n "$P_PRIVATE_PG" ] && P_PGPASSWORD="$(cat "$P_DATA/.pgpassword")"
  local archive="${2:-$P_BACKUPS/$P_DB-$(date -u +%Y%m%dT%H%M%SZ).tar}" work
  mkdir -p "$(dirname "$archive")"
  work="$(mktemp -d)"
  chmod 755 "$work"
  log "backing up $P_DB to $archive"
  if [ -n "$P_PRIVATE_PG" ]; then
    as_postgres "$PGBIN/pg_dump" -h "$P_PGSOCK" -p "$P_PGPORT" -Fc "$P_DB" > "$work/database.dump"
  else
    PGPASSWORD="$P_PGPASSWORD" "$PGBIN/pg_dump" -h "$P_PGHOST" -p "$P_PGPORT" -U "$P_PGUSER" -Fc -f "$work/database.dump" "$P_DB"
  fi
  mkdir -p "$work/filestore"
  if [ -d "$P_DATA/filestore/filestore/$P_DB" ]; then
    cp -a "$P_DATA/filestore/filestore/$P_DB/." "$work/filestore/"
  fi
  {
    echo "database=$P_DB"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "release=$(cat "$P_SRC/RELEASE" 2>/dev/null || echo unknown)"
  } > "$work/BACKUP"
  (umask 077 && tar -cf "$archive.part" -C "$work" BACKUP database.dump filestore)
  mv "$archive.part" "$archive"
  rm -rf "$work"
  log "backup written: $archive ($(du -h "$archive" | cut -f1))"
  echo "$archive"
}

cmd_prod_restore() {
  prod_load "${1:-}"
  prod_root
  local archive="${2:-}" target="${3:-}" work
  [ -f "$archive" ] && [ -n "$target" ] || { log "usage: bin/clearance prod-restore CONF ARCHIVE NEW_DATABASE"; exit 2; }
  [[ "$target" =~ ^[A-Za-z0-9_-]+$ ]] || { log "a database name: letters, digits, _ and - only"; exit 2; }
  prod_start_postgres
  [ -n "$P_PRIVATE_PG" ] && P_PGPASSWORD="$(cat "$P_DATA/.pgpassword")"
  if prod_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$target'" | grep -q 1; then
    log "the database $target exists: restore under a new name"; exit 2
  fi
  work="$(mktemp -d)"
  chmod 755 "$work"
  tar -xf "$archive" -C "$work"
  [ -f "$work/database.dump" ] || { log "$archive is not a backup of prod-backup"; rm -rf "$work"; exit 2; }
  chmod 644 "$work/database.dump"
  log "restoring $archive as $target"
  if [ -n "$P_PRIVATE_PG" ]; then
    prod_psql -d postgres -qc "CREATE DATABASE \"$target\" OWNER \"$P_PGUSER\" ENCODING 'UTF8'"
    as_postgres "$PGBIN/pg_restore" -h "$P_PGSOCK" -p "$P_PGPORT" --no-owner --role="$P_PGUSER" \
      -d "$target" "$work/database.dump"
  else
    PGPASSWORD="$P_PGPASSWORD" "$PGBIN/createdb" -h "$P_PGHOST" -p "$P_PGPORT" -U "$P_PGUSER" -E UTF8 "$target"
    PGPASSWORD="$P_PGPASSWORD" "$PGBIN/pg_restore" -h "$P_PGHOST" -p "$P_PGPORT" -U "$P_PGUSER" \
      --no-owner -d "$target" "$work/database.dump"
  fi
  mkdir -p "$P_DATA/filestore/filestore/$target"
  cp -a "$work/filestore/." "$P_DATA/filestore/filestore/$target/"
  chown -R "$P_USER": "$P_DATA/filestore/filestore/$target"
  rm -rf "$work"
  log "restored as $target; to serve it, set database = $target in $PCONF and run bin/clearance prod-setup $PCONF"
}

cmd_prod_upgrade() {
  prod_load "${1:-}"
  prod_root
  local archive names rc=0 upgrade_log
  archive="$(set -e; cmd_prod_backup "$PCONF" | tail -n 1)" || { log "the backup failed: nothing was upgraded"; exit 1; }
  prod_load "$PCONF"
  setup_python
  setup_node
  prod_runtime
  [ -n "$P_PRIVATE_PG" ] && P_PGPASSWORD="$(cat "$P_DATA/.pgpassword")"
  prod_odoo_conf
  names="$(prod_addons | paste -sd, -)"
  upgrade_log="$P_LOGS/upgrade-$(date -u +%Y%m%dT%H%M%SZ).log"
  log "updating $names in $P_DB (log: $upgrade_log)"
  prod_odoo -d "$P_DB" -u "$names" --stop-after-init --logfile="$upgrade_log" || rc=$?
  if [ $rc -ne 0 ] || grep -qE " (ERROR|CRITICAL) " "$upgrade_log"; then
    log "the upgrade FAILED (exit status $rc; see $upgrade_log). The database may be half-updated."
    log "Restore the backup taken before it and serve that:"
    log "  bin/clearance prod-restore $PCONF $archive ${P_DB}_restored"
    log "  then set database = ${P_DB}_restored in $PCONF, check out the previous release"
    log "  and run bin/clearance prod-setup $PCONF"
    exit 1
  fi
  log "upgraded; the backup taken before is $archive"
}
