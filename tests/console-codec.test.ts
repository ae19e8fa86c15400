// The payload codec endpoint hosted by the console (/codec/encode|decode): refused without a
// session, with the wrong role and from a foreign origin (each audited); for operations staff it
// decodes what the worker's codec encoded, and answers the configured Web UI origin's preflight.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionCodec } from '../codec/encryption-codec';
import { Keyring, newKeyFile } from '../codec/keyring';
import { addAccount } from '../console/accounts';
import { buildConsole } from '../console/server';
import { loadConsoleSettings } from '../console/settings';
import type { Person } from '../domain/registry';
import type { ConsoleStore } from '../stores/console-store';
import { openConsoleStore } from '../stores/open';
import { ConsoleClient } from './helpers/console-client';

const WEB_UI = 'http://127.0.0.1:8233';
const PASSWORD = 'codec test password';
const keyring = new Keyring(newKeyFile());
let dir: string;
let store: ConsoleStore;
let app: FastifyInstance;

const person = (id: string, roles: Person['roles']): Person => ({ id, name: `人员${id}`, department: 'detachment', roles, email: null, inspector: null, active: true });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-codec-'));
  const settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir } });
  store = await openConsoleStore(settings.store);
  app = await buildConsole({ settings, store, personName: async (id) => `人员${id}`, people: null, codec: { keyring, corsOrigins: [WEB_UI] } });
  await addAccount(store, { login: 'ops', person: person('P0100', ['detachment-leader']), roles: [], password: PASSWORD, oidc: null, now: new Date() });
  await addAccount(store, { login: 'insp', person: person('P0101', ['inspector']), roles: [], password: PASSWORD, oidc: null, now: new Date() });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function encrypted(text: string) {
  const [p] = await new EncryptionCodec(keyring).encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(text)) }]);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p!.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { payloads: [{ metadata, data: Buffer.from(p!.data!).toString('base64') }] };
}
const cookieOf = (c: ConsoleClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const decode = (body: unknown, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/codec/decode', payload: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers } });

describe('the console codec endpoint', () => {
  it('refuses without a session, with the wrong role and from a foreign origin; decodes for operations', async () => {
    const body = await encrypted('内部说明：企业负责人系检查人员亲属');
    expect(body.payloads[0]!.data).not.toContain(Buffer.from('内部说明').toString('base64'));

    const anonymous = await decode(body, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('payloads');

    const insp = new ConsoleClient(app);
    await insp.login('insp', PASSWORD);
    const wrongRole = await decode(body, { cookie: cookieOf(insp) });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json()).toEqual({ message: 'reading payloads needs the role detachment-leader' });

    const ops = new ConsoleClient(app);
    await ops.login('ops', PASSWORD);
    const foreign = await decode(body, { cookie: cookieOf(ops), origin: 'http://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    // A form post (no JSON, no CSRF token) is refused by the console's CSRF check.
    const form = await app.inject({ method: 'POST', url: '/codec/decode', payload: 'payloads=x', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(ops), origin: WEB_UI } });
    expect(form.statusCode).toBe(403);

    const ok = await decode(body, { cookie: cookieOf(ops), origin: WEB_UI });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(WEB_UI);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const out = ok.json() as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(out.payloads[0]!.data, 'base64').toString('utf8'))).toBe('内部说明：企业负责人系检查人员亲属');

    const preflight = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: WEB_UI, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(WEB_UI);
    const foreignPreflight = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreignPreflight.statusCode).toBe(403);

    const bad = await decode({ nope: 1 }, { cookie: cookieOf(ops) });
    expect(bad.statusCode).toBe(400);

    // The foreign origin never reached the endpoint: refused as a cross-site request (no CSRF token).
    expect((await store.listAudit({ action: 'csrf.refused' })).filter((e) => e.target === '/codec/decode')).toHaveLength(2);
    const audit = await store.listAudit({ action: 'codec.' });
    expect(audit.map((e) => `${e.action} ${e.personId ?? '-'} ${JSON.stringify(e.detail.reason ?? e.detail.status)}`).sort()).toEqual(
      [
        'codec.decode P0100 200',
        'codec.decode P0100 400',
        'codec.refused - "no-session"',
        'codec.refused P0101 "role"',
      ].sort(),
    );
  }, 60_000);
});
