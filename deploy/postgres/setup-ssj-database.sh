#!/bin/sh
# One-shot (postgres image): the project's own role and database on the PostgreSQL server that also
# holds Temporal's, apart from Temporal's role. Idempotent: run on every `docker compose up`; an
# existing role gets the password from the environment again, an existing database is kept. The
# workers, the console and `ssj` migrate its schema themselves at start (stores/migrations.ts).
set -eu
: "${PGHOST:=postgresql}"
: "${SSJ_DB_PASSWORD:?SSJ_DB_PASSWORD must be set}"
export PGHOST

i=0
until pg_isready -q; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "PostgreSQL at $PGHOST not ready"; exit 1; }
  sleep 2
done

psql -v ON_ERROR_STOP=1 -v pw="$SSJ_DB_PASSWORD" --dbname postgres <<'SQL'
SELECT 'CREATE ROLE ssj LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ssj') \gexec
ALTER ROLE ssj LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
SELECT 'CREATE DATABASE ssj OWNER ssj ENCODING ''UTF8''' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'ssj') \gexec
REVOKE ALL ON DATABASE ssj FROM PUBLIC;
GRANT ALL ON DATABASE ssj TO ssj;
SQL
echo "database ssj (role ssj) is ready"
