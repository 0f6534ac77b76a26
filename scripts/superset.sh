#!/usr/bin/env bash
# Apache Superset on the published warehouse, provisioned as code (docs/bi.md).
#
#   scripts/superset.sh [install|provision|serve|start]   (default: start = all three)
#
# install    its own virtual environment (.venv-superset) from bi/superset/requirements.lock,
#            so Superset's pins never touch the pipeline's .venv; skipped when up to date
# provision  metadata database, admin user, and the database connection, datasets, charts and
#            dashboard imported from bi/superset/dashboard/ (the warehouse path filled in)
# serve      Superset on 127.0.0.1 (foreground)
#
# Settings (environment): CS_WAREHOUSE_PATH (the published warehouse, as for the pipeline;
# default data/warehouse.duckdb), CS_SUPERSET_HOME (state: metadata database, secret key, admin
# password; default data/superset), CS_SUPERSET_PORT (default 8088), CS_SUPERSET_VENV (default
# .venv-superset), CS_SUPERSET_ADMIN_PASSWORD (default: generated once into
# $CS_SUPERSET_HOME/admin_password).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV="${CS_SUPERSET_VENV:-$ROOT/.venv-superset}"
export CS_SUPERSET_HOME="${CS_SUPERSET_HOME:-$ROOT/data/superset}"
PORT="${CS_SUPERSET_PORT:-8088}"
WAREHOUSE="${CS_WAREHOUSE_PATH:-$ROOT/data/warehouse.duckdb}"
case "$WAREHOUSE" in /*) ;; *) WAREHOUSE="$ROOT/$WAREHOUSE" ;; esac
LOCK="$ROOT/bi/superset/requirements.lock"
export SUPERSET_CONFIG_PATH="$ROOT/bi/superset/superset_config.py"
export FLASK_APP=superset
export SUPERSET_LOAD_EXAMPLES=no

install() {
  local stamp="$VENV/.requirements.sha256" want
  want=$(sha256sum "$LOCK" | cut -d' ' -f1)
  if [ -x "$VENV/bin/superset" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local python="${PYTHON:-python3.11}"
  command -v "$python" >/dev/null || python=python3
  [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$LOCK"
  "$VENV/bin/python" -m pip check
  echo "$want" > "$stamp"
}

provision() {
  mkdir -p "$CS_SUPERSET_HOME"
  chmod 0700 "$CS_SUPERSET_HOME"
  [ -s "$CS_SUPERSET_HOME/secret_key" ] || "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(42))" > "$CS_SUPERSET_HOME/secret_key"
  if [ -n "${CS_SUPERSET_ADMIN_PASSWORD:-}" ]; then
    printf '%s\n' "$CS_SUPERSET_ADMIN_PASSWORD" > "$CS_SUPERSET_HOME/admin_password"
  elif [ ! -s "$CS_SUPERSET_HOME/admin_password" ]; then
    "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(16))" > "$CS_SUPERSET_HOME/admin_password"
  fi
  chmod 0600 "$CS_SUPERSET_HOME/secret_key" "$CS_SUPERSET_HOME/admin_password"
  local superset="$VENV/bin/superset"
  "$superset" db upgrade >/dev/null 2>&1 || "$superset" db upgrade
  if ! "$superset" fab list-users 2>/dev/null | grep -q "username:admin "; then
    "$superset" fab create-admin --username admin --firstname Retention --lastname Admin \
      --email admin@localhost --password "$(cat "$CS_SUPERSET_HOME/admin_password")" >/dev/null
  fi
  "$superset" init >/dev/null 2>&1 || "$superset" init
  # the dashboard bundle: the repository's YAML files, with the warehouse's URI filled in
  local bundle
  bundle=$(mktemp -d)
  trap 'rm -rf "$bundle"' RETURN
  cp -r "$ROOT/bi/superset/dashboard" "$bundle/customer_retention"
  sed -i "s#__WAREHOUSE_URI__#duckdb:///$WAREHOUSE#" "$bundle/customer_retention/databases/warehouse.yaml"
  (cd "$bundle" && "$VENV/bin/python" -m zipfile -c dashboard.zip customer_retention)
  "$superset" import-dashboards --path "$bundle/dashboard.zip" --username admin
  echo "Superset provisioned: dashboard 'Customer retention' on $WAREHOUSE (user admin, password in $CS_SUPERSET_HOME/admin_password)"
}

serve() {
  echo "Superset on http://127.0.0.1:$PORT/superset/dashboard/customer-retention/"
  exec "$VENV/bin/superset" run --host 127.0.0.1 --port "$PORT" --with-threads
}

case "${1:-start}" in
  install) install ;;
  provision) provision ;;
  serve) serve ;;
  start) install && provision && serve ;;
  *) echo "usage: $0 [install|provision|serve|start]" >&2; exit 2 ;;
esac
