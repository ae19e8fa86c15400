#!/bin/sh
# One-shot (admin-tools image): create Temporal's two PostgreSQL databases and bring their schemas
# up to the server's version. Safe to run on every `docker compose up`: existing databases are
# kept and update-schema only applies versions not yet applied.
set -eu
EP="${POSTGRES_SEEDS:-postgresql}"
PORT="${DB_PORT:-5432}"
USER="${POSTGRES_USER:-temporal}"
export SQL_PASSWORD="${POSTGRES_PWD:?POSTGRES_PWD must be set}"
SCHEMA=/etc/temporal/schema/postgresql/v12

echo "waiting for PostgreSQL at ${EP}:${PORT}"
i=0
until nc -z -w 5 "$EP" "$PORT"; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "PostgreSQL not reachable"; exit 1; }
  sleep 2
done

for DB in temporal temporal_visibility; do
  case "$DB" in temporal) DIR="$SCHEMA/temporal/versioned" ;; *) DIR="$SCHEMA/visibility/versioned" ;; esac
  tool="temporal-sql-tool --plugin postgres12 --ep $EP -p $PORT -u $USER --db $DB"
  $tool create-database 2>/dev/null || echo "database $DB exists"
  $tool setup-schema -v 0.0
  $tool update-schema -d "$DIR"
done
echo "PostgreSQL schemas are up to date"
