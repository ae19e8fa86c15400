// docker-compose.yml and deploy/ checked without a Docker engine: the YAML parses, services hang
// together (dependencies, volumes, healthchecks, mounted files), the topology is the production
// one (Temporal on PostgreSQL at the native check's version, the project's own role and database
// on the same server, N workers with nothing shared on disk, the console, mailpit), the worker's
// environment is valid for config/runtime.ts, the project database's setup script really runs on
// a PostgreSQL server, the Dockerfile's paths exist and it is glibc-based, the search attributes
// match workflows/search-attributes.ts, and docs/operations.md covers the settings and services.
// `docker compose config` runs too where the compose plugin is installed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadRuntimeSettings, SETTINGS_VARIABLES } from '../config/runtime';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/search-attributes';
import { TEMPORAL_SERVER_VERSION } from '../scripts/temporal-postgres';
import { createProjectDatabase } from '../scripts/production/project-database';
import { Client } from 'pg';
import { inject } from 'vitest';
import { toShared, type SharedPostgres } from './setup/global-postgres';
import { startTestPostgres } from '../scripts/postgres';
import { loadConsoleSettings } from '../console/settings';

const ROOT = path.join(__dirname, '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  command?: string[];
  entrypoint?: string[];
  profiles?: string[];
  deploy?: { replicas?: string | number };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** Compose's `${NAME:-default}` / `${NAME}` with an empty environment: the defaults a fresh checkout gets. */
function interpolate(v: string): string {
  return v.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name: string, def: string | undefined) => def ?? '');
}

describe('docker-compose.yml', () => {
  it('has the production-like services', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['console', 'mailpit', 'postgresql', 'ssj', 'ssj-database', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
    expect(interpolate(services.temporal!.image!)).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(interpolate(services['temporal-ui']!.image!)).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(interpolate(services['temporal-schema']!.image!)).toMatch(/^temporalio\/admin-tools:/);
    expect(interpolate(services.postgresql!.image!)).toMatch(/^postgres:\d+$/);
    expect(services.temporal!.environment!.DB).toBe('postgres12');
  });

  it('runs the Temporal server and PostgreSQL at the versions the native production check runs', () => {
    expect(interpolate(services.temporal!.image!)).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(interpolate(services['temporal-schema']!.image!)).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(interpolate(services.postgresql!.image!)).toBe('postgres:15');
  });

  it('pins every image (no :latest, no untagged)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) continue;
      expect(interpolate(s.image), name).toMatch(/:[^:]+$/);
      expect(interpolate(s.image), name).not.toMatch(/:latest$/);
    }
  });

  it('orders start-up by health and one-shot completion, on services that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[dep]!.healthcheck, `${dep} needs a healthcheck`).toBeDefined();
        if (condition === 'service_completed_successfully') expect(services[dep]!.command, `${dep} is a one-shot`).toBeDefined();
      }
    }
    expect(services.temporal!.depends_on!['temporal-schema']!.condition).toBe('service_completed_successfully');
    expect(services.worker!.depends_on!['temporal-namespace']!.condition).toBe('service_completed_successfully');
  });

  it('mounts files that exist and declares its named volumes', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('./')) expect(fs.existsSync(path.join(ROOT, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty(source);
      }
      // A one-shot's script is read from the folder mounted at /ssj-deploy.
      const deployMount = (s.volumes ?? []).find((v) => v.split(':')[1] === '/ssj-deploy')?.split(':')[0];
      for (const c of [...(s.command ?? [])]) {
        const m = /^\/ssj-deploy\/(.+)$/.exec(c);
        if (m) expect(deployMount && fs.existsSync(path.join(ROOT, deployMount, m[1]!)), `${name}: ${c}`).toBe(true);
      }
    }
    const dyn = services.temporal!.environment!.DYNAMIC_CONFIG_FILE_PATH!;
    const dynFile = path.join(ROOT, 'deploy', 'temporal', 'dynamicconfig', path.basename(dyn));
    expect(fs.existsSync(dynFile)).toBe(true);
    expect(parse(fs.readFileSync(dynFile, 'utf8'))).toHaveProperty('limit.maxIDLength');
  });

  it('binds published ports to loopback only', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.sort()).toEqual(['127.0.0.1:7233:7233', '127.0.0.1:8025:8025', '127.0.0.1:8080:8080', '127.0.0.1:8300:8300']);
  });

  it('gives the worker an environment that config/runtime.ts accepts, pointing at services that exist', () => {
    const env = Object.fromEntries(Object.entries(services.worker!.environment!).map(([k, v]) => [k, interpolate(String(v))]));
    for (const key of Object.keys(env)) expect(Object.keys(SETTINGS_VARIABLES), key).toContain(key);
    expect(services.ssj!.environment).toEqual(services.worker!.environment);

    const { SSJ_WORKFLOW_BUNDLE: bundle, ...checkable } = env; // a path inside the image
    const s = loadRuntimeSettings({ env: checkable, cwd: ROOT });
    expect(services[s.temporal.address.split(':')[0]!]).toBeDefined();
    expect(services[s.smtp.host]).toBeDefined();
    expect(s.smtp.port).toBe(1025); // mailpit's SMTP port
    expect(s.mailFrom.name).toBe('信阳市生态环境综合行政执法支队');
    expect(s.dataDir).toBe('/data');

    // The bundle the worker loads is the one the image's build makes (dist/workflow-bundle.js).
    expect(bundle).toBe('/app/dist/workflow-bundle.js');
    expect(read('deploy/Dockerfile')).toContain(`SSJ_WORKFLOW_BUNDLE=${bundle}`);
    // Compose's stop grace outlasts the worker's own drain time.
    const stopGrace = Number(/(\d+)s/.exec(String((services.worker as { stop_grace_period?: string }).stop_grace_period))?.[1]);
    expect(stopGrace).toBeGreaterThan(Number(env.SSJ_SHUTDOWN_GRACE_SECONDS));
  });

  it('is the production topology: N workers sharing nothing on disk, the project database beside Temporal\'s, the console', () => {
    const worker = services.worker!;
    expect(Number(interpolate(String(worker.deploy?.replicas ?? '1')))).toBeGreaterThanOrEqual(2);
    // Only PostgreSQL keeps a named volume: the workers' /data is each replica's own scratch.
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) if (!v.split(':')[0]!.startsWith('./')) expect(name, `${name} mounts ${v}`).toBe('postgresql');
    }
    expect(worker.volumes ?? []).toEqual([]);
    expect(read('deploy/Dockerfile')).toMatch(/^VOLUME \["\/data"\]$/m);

    // SSJ_DATABASE_URL: role and database ssj on the postgresql service, not Temporal's role.
    const url = new URL(interpolate(worker.environment!.SSJ_DATABASE_URL!));
    expect(services[url.hostname], url.hostname).toBeDefined();
    expect(url.hostname).toBe('postgresql');
    expect([url.username, url.pathname]).toEqual(['ssj', '/ssj']);
    expect(url.username).not.toBe(services.postgresql!.environment!.POSTGRES_USER);
    const setup = services['ssj-database']!;
    expect(interpolate(setup.image!)).toBe(interpolate(services.postgresql!.image!));
    expect(setup.depends_on!.postgresql!.condition).toBe('service_healthy');
    expect(setup.command).toEqual(['/ssj-deploy/setup-ssj-database.sh']);
    expect(setup.volumes).toContain('./deploy/postgres:/ssj-deploy:ro');
    // The one-shot sets the password the services connect with (the same variable and default).
    expect(setup.environment!.SSJ_DB_PASSWORD).toBe('${SSJ_DB_PASSWORD:-ssj}');
    expect(worker.environment!.SSJ_DATABASE_URL).toContain(':${SSJ_DB_PASSWORD:-ssj}@');
    expect(setup.environment!.PGUSER).toBe(services.postgresql!.environment!.POSTGRES_USER);
    expect(setup.environment!.PGPASSWORD).toBe(services.postgresql!.environment!.POSTGRES_PASSWORD);
    for (const name of ['worker', 'console', 'ssj']) expect(services[name]!.depends_on!['ssj-database']!.condition, name).toBe('service_completed_successfully');

    // The console: compiled, on the same settings and database, its port published, /healthz checked.
    const consoleService = services.console!;
    expect(consoleService.image).toBe(worker.image);
    expect(consoleService.entrypoint).toEqual(['node', 'dist/console/main.js']);
    expect(fs.existsSync(path.join(ROOT, 'console', 'main.ts'))).toBe(true);
    const env = Object.fromEntries(Object.entries(consoleService.environment!).map(([k, v]) => [k, interpolate(String(v))]));
    for (const [k, v] of Object.entries(worker.environment!)) expect(consoleService.environment![k], k).toBe(v);
    const cs = loadConsoleSettings({ env, cwd: ROOT });
    expect(cs.store.databaseUrl).toBe(url.toString());
    expect(consoleService.ports).toEqual([`127.0.0.1:${cs.port}:${cs.port}`]);
    expect(consoleService.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${cs.port}/healthz`);
    expect(read('console/server.ts')).toContain("app.get('/healthz'");
  });

  it('sets up the project database with the script compose runs, on a real PostgreSQL, again and again', async () => {
    const shared = inject('postgres') as SharedPostgres | undefined;
    const own = shared ? null : await startTestPostgres();
    const server = shared ?? toShared(own!);
    try {
      createProjectDatabase(server.adminUrl, 'first-password');
      const url = createProjectDatabase(server.adminUrl, 'second-password'); // a second `up`: kept, password set again
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        const row = (await c.query('SELECT current_user AS u, current_database() AS d, r.rolsuper AS su, r.rolcreatedb AS cdb FROM pg_roles r WHERE r.rolname = current_user')).rows[0];
        expect(row).toEqual({ u: 'ssj', d: 'ssj', su: false, cdb: false });
        await c.query('CREATE TABLE IF NOT EXISTS compose_probe (x int)'); // it owns its database
        await expect(c.query('CREATE DATABASE not_yours')).rejects.toThrow(/permission denied/);
      } finally {
        await c.end();
      }
    } finally {
      await own?.stop();
    }
  });

  it('registers exactly the search attributes the workflows use', () => {
    const script = read('deploy/temporal/setup-namespace.sh');
    const pairs = /for pair in ([^;]+);/.exec(script)![1]!.trim().split(/\s+/);
    expect(Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]))).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });

  it('has one-shot scripts that the shell can parse', () => {
    for (const f of ['temporal/setup-postgres.sh', 'temporal/setup-namespace.sh', 'postgres/setup-ssj-database.sh']) {
      const r = spawnSync('sh', ['-n', path.join(ROOT, 'deploy', f)], { encoding: 'utf8' });
      expect(r.stderr, f).toBe('');
      expect(r.status, f).toBe(0);
    }
  });

  it('runs `docker compose config` cleanly where the compose plugin exists', (ctx) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) ctx.skip();
    const r = spawnSync('docker', ['compose', '-f', path.join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8', cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');

  it('builds on glibc Debian, never Alpine (the Temporal core bridge needs glibc)', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1]!, name: m[2] }));
    expect(froms.length).toBeGreaterThan(0);
    // Each stage starts from the Debian image or from an earlier stage.
    froms.forEach((f, i) => expect([...froms.slice(0, i).map((e) => e.name), 'node:20-bookworm-slim']).toContain(f.image));
    const instructions = dockerfile.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    expect(instructions).not.toMatch(/alpine|musl/i);
  });

  it('copies only paths that exist, and every production folder into the build stage', () => {
    for (const m of dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
      const parts = m[1]!.trim().split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(fs.existsSync(path.join(ROOT, src)), src).toBe(true);
    }
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(\S+)\s+\.\/\S+$/gm)].map((m) => m[1]);
    const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };
    for (const dir of build.include) if (fs.existsSync(path.join(ROOT, dir))) expect(copied, dir).toContain(dir);
    expect(copied).toContain('scripts'); // scripts/build.cjs
    expect(fs.existsSync(path.join(ROOT, 'deploy', 'Dockerfile.dockerignore'))).toBe(true);
  });

  /** The stages: name (or index) -> instructions, comments dropped. */
  const stages = dockerfile
    .split(/^(?=FROM\s)/m)
    .filter((s) => s.startsWith('FROM'))
    .map((text, i) => ({ name: /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(text)![1] ?? String(i), text: text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n') }));
  const runtime = stages[stages.length - 1]!;

  it('compiles in a build stage and installs production dependencies alone in another', () => {
    const build = stages.find((s) => s.name === 'build')!;
    expect(build.text).toMatch(/^RUN npm ci\b/m);
    expect(build.text).toMatch(/^RUN npm run build$/m);
    expect(JSON.parse(read('package.json')).scripts.build).toBe('node scripts/build.cjs');
    const deps = stages.find((s) => s.name === 'deps')!;
    expect(deps.text).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(deps.text).not.toMatch(/^COPY\s+(?!package)/m); // package.json and the lock file only
  });

  it('runs compiled JavaScript from a runtime stage that has dist/ and production node_modules only', () => {
    const copies = [...runtime.text.matchAll(/^COPY\s+(.+)$/gm)].map((m) => m[1]!);
    for (const c of copies) expect(c, 'the runtime stage copies from the other stages only').toMatch(/^--from=(build|deps)\s/);
    const sources = copies.map((c) => c.split(/\s+/).filter((p) => !p.startsWith('--')).slice(0, -1)).flat();
    for (const src of sources) {
      expect(['/app/package.json', '/app/package-lock.json', '/app/node_modules', '/app/dist', '/app/config/programme.json', '/app/config/calendar-cn.json'], src).toContain(src);
    }
    expect(copies.find((c) => c.includes('/app/node_modules'))).toMatch(/^--from=deps\s/);
    expect(runtime.text).not.toMatch(/\btsx\b|typescript|vitest|npm (ci|install)/);
    const cmd = JSON.parse(/^CMD\s+(\[.+\])$/m.exec(runtime.text)![1]!) as string[];
    expect(cmd).toEqual(['node', 'dist/worker/main.js']);
    expect(fs.existsSync(path.join(ROOT, 'worker', 'main.ts'))).toBe(true); // what dist/worker/main.js is compiled from
    expect(runtime.text).toContain('SSJ_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js');
    // The programme and calendar the image reads are the copies operators edit, not dist/'s build copies.
    for (const [variable, file] of [['SSJ_PROGRAMME', '/app/config/programme.json'], ['SSJ_CALENDAR', '/app/config/calendar-cn.json']]) {
      expect(runtime.text, variable).toMatch(new RegExp(`^\\s+${variable}=${file} \\\\$`, 'm'));
      expect(sources, file).toContain(file);
      expect(Object.keys(SETTINGS_VARIABLES), variable).toContain(variable);
    }
    expect(read('scripts/build.cjs')).toContain("path.join(DIST, 'workflow-bundle.js')");
    // The command line in compose runs the same compiled code.
    expect(services.ssj!.entrypoint).toEqual(['node', 'dist/client/ssj.js']);
  });
});

describe('PDF documents in the image', () => {
  it('installs Debian\'s Chromium and the CJK fonts unless built with SSJ_PDF=false, and ships playwright-core', () => {
    const dockerfile = read('deploy/Dockerfile');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^ARG SSJ_PDF=true$/m);
    expect(runtime).toMatch(/if \[ "\$SSJ_PDF" = "true" \]; then[\s\S]*apt-get install -y --no-install-recommends chromium fonts-noto-cjk/);
    expect(runtime).toMatch(/SSJ_DOCUMENT_PDF=\$SSJ_PDF/);
    // findChromium looks there first among the usual places.
    expect(read('files/documents/pdf.ts')).toContain("'/usr/bin/chromium'");
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies['playwright-core'], 'a production dependency: npm ci --omit=dev keeps it').toBeDefined();
    expect(pkg.devDependencies['playwright-core']).toBeUndefined();
  });
});

describe('config/ssj.example.env', () => {
  it('is a valid settings file naming every variable', () => {
    const file = path.join(ROOT, 'config', 'ssj.example.env');
    const s = loadRuntimeSettings({ envFile: file, env: {}, cwd: ROOT });
    expect(s.temporal.address).toBe('127.0.0.1:7233');
    expect(s.mailFrom.name).toBe('信阳市生态环境综合行政执法支队');
    const text = fs.readFileSync(file, 'utf8');
    for (const v of Object.keys(SETTINGS_VARIABLES).filter((k) => k !== 'SSJ_ENV_FILE')) expect(text, v).toMatch(new RegExp(`^${v}=`, 'm'));
  });
});

describe('docs/operations.md', () => {
  it('documents every setting and every compose service', () => {
    const doc = read('docs/operations.md');
    for (const v of Object.keys(SETTINGS_VARIABLES)) expect(doc, v).toContain(`\`${v}\``);
    for (const name of Object.keys(services)) expect(doc, name).toContain(`\`${name}\``);
  });
});
