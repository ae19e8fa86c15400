// The project's own database beside Temporal's on the same PostgreSQL server: role `ssj` (not a
// superuser) and database `ssj`, made by the very script the compose stack's one-shot runs
// (deploy/postgres/setup-ssj-database.sh), so the native check and compose set it up alike.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { postgresBindir } from '../postgres';

export const SETUP_SCRIPT = path.resolve(__dirname, '..', '..', 'deploy', 'postgres', 'setup-ssj-database.sh');

/** Runs the setup script against the server `adminUrl` names (a superuser); returns SSJ_DATABASE_URL. */
export function createProjectDatabase(adminUrl: string, password = randomBytes(18).toString('base64url')): string {
  const admin = new URL(adminUrl);
  const r = spawnSync('sh', [SETUP_SCRIPT], {
    encoding: 'utf8',
    env: {
      // psql and pg_isready of the same installation as the server.
      PATH: `${postgresBindir()}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      PGHOST: admin.hostname,
      PGPORT: admin.port || '5432',
      PGUSER: decodeURIComponent(admin.username),
      PGPASSWORD: decodeURIComponent(admin.password),
      SSJ_DB_PASSWORD: password,
    },
  });
  if (r.status !== 0) throw new Error(`${SETUP_SCRIPT} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  const url = new URL(adminUrl);
  url.username = 'ssj';
  url.password = password;
  url.pathname = '/ssj';
  return url.toString();
}
