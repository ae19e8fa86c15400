// When Temporal cannot answer (the frontend down, or no worker answering a query in time), a page
// that needs it says 系统繁忙 (503, Retry-After) and that the action may not have happened, instead
// of a bare "系统错误". A real console on a real store, with a client aimed at a closed port.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount } from '../console/accounts';
import { buildConsole, temporalUnavailable } from '../console/server';
import { loadConsoleSettings } from '../console/settings';
import type { ConsoleStore } from '../stores/console-store';
import { openConsoleStore } from '../stores/open';
import { ConsoleClient } from './helpers/console-client';

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dir: string;
let store: ConsoleStore;
let app: FastifyInstance;
let connection: Connection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-down-'));
  const settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir } });
  store = await openConsoleStore(settings.store);
  const person = { id: 'P0005', name: '李纪检', department: 'section-1', roles: ['discipline' as const], email: null, inspector: null, active: true };
  await addAccount(store, { login: 'li.jijian', person, roles: [], password: 'correct horse battery', oidc: null, now: new Date() });
  connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}`, connectTimeout: '2s' });
  app = await buildConsole({ settings, store, personName: async () => '李纪检', people: null, temporal: new Client({ connection }) });
});
afterAll(async () => {
  await app?.close();
  await connection?.close().catch(() => undefined);
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Temporal unavailable', () => {
  it('a page that asks the workflow answers 503 系统繁忙 with Retry-After, not a bare 500', async () => {
    const c = new ConsoleClient(app);
    expect((await c.login('li.jijian', 'correct horse battery')).statusCode).toBe(303);
    const res = await c.get('/ceremony?campaign=campaign-xinyang-2023-2023q1');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(res.body).toContain('系统繁忙');
    expect(res.body).toContain('本次操作可能尚未完成');
  }, 120_000);

  it('tells Temporal being busy from other failures', () => {
    expect(temporalUnavailable(new Error('query timed out before a worker could process it'))).toBe(true);
    expect(temporalUnavailable(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
    expect(temporalUnavailable(new Error('outer', { cause: new Error('4 DEADLINE_EXCEEDED: Deadline exceeded') }))).toBe(true);
    expect(temporalUnavailable(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
  });
});
