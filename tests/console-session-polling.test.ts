// Sessions and pages that refresh themselves: the quarter page's htmx poll (every 30 s) is no sign
// that anybody is at the screen, so it neither touches nor extends the session, and a page left open
// still signs out after SSJ_CONSOLE_IDLE_MINUTES. The real console over fastify.inject, a real
// SQLite store with the quarter's projection rows, the dev server's client (nothing is queried),
// and the console's injectable clock.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { sha256 } from '../console/auth';
import { buildConsole } from '../console/server';
import { loadConsoleSettings, type ConsoleSettings } from '../console/settings';
import type { ConsoleStore } from '../stores/console-store';
import { openConsoleStore } from '../stores/open';
import { signedInClient, type ConsoleClient } from './helpers/console-client';
import { devServerClient } from './helpers/temporal';
import { addAccounts, operationsOf, writeDemoQuarter } from './console-quarter-fixture';

const PASSWORD = 'operations password 1';
const programme = { ...loadProgramme(), id: 'console-polling-2024', year: 2024 };
let dir: string;
let settings: ConsoleSettings;
let store: ConsoleStore;
let app: FastifyInstance;
let client: Client;
let connection: Connection;
let campaignId: string;
let clock = new Date('2024-06-12T01:00:00Z');
const advance = (minutes: number) => (clock = new Date(clock.getTime() + minutes * 60_000));

beforeAll(async () => {
  ({ client, connection } = await devServerClient());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-console-polling-'));
  settings = loadConsoleSettings({ env: { SSJ_DATA_DIR: dir, SSJ_CONSOLE_LOGIN_PER_MINUTE: '1000' } });
  store = await openConsoleStore(settings.store);
  app = await buildConsole({ settings, store, now: () => clock, personName: async (id) => `人员${id}`, people: null, temporal: client, operations: operationsOf(programme, { taskQueue: 'console-polling-unused', dataDir: null }) });
  await addAccounts(store, PASSWORD, [
    ['leader1', 'DL1', ['detachment-leader']],
    ['leader2', 'DL2', ['detachment-leader']],
  ]);
  campaignId = (await writeDemoQuarter(store, { programmeId: programme.id, year: 2024, quarter: 2 })).campaignId;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await connection?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const poll = (u: ConsoleClient) => u.get(`/quarter/live?campaign=${campaignId}`, { 'hx-request': 'true', 'hx-trigger': 'ops-live' });
const lastSeen = async (u: ConsoleClient) => (await store.getSession(sha256(u.cookies.get('ssj_sid')!)))?.lastSeenAt.toISOString();

describe('a page polling itself', () => {
  it('does not keep its session alive: the quarter page left open signs out after the idle time', async () => {
    const left = await signedInClient(app, 'leader1', PASSWORD);
    const worked = await signedInClient(app, 'leader2', PASSWORD);
    const signedInAt = clock.toISOString();
    for (const u of [left, worked]) {
      const page = await u.get(`/quarter?campaign=${campaignId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('hx-trigger="every 30s"');
    }
    // Polled every 5 minutes for 25 minutes: answered, but the session's last-seen time stays put.
    for (let i = 0; i < 5; i++) {
      advance(5);
      for (const u of [left, worked]) {
        const frag = await poll(u);
        expect(frag.statusCode).toBe(200);
        expect(frag.body).toContain('id="ops-live"');
      }
    }
    expect(await lastSeen(left)).toBe(signedInAt);
    // One of them does something: a page view is activity.
    expect((await worked.get(`/quarter?campaign=${campaignId}`)).statusCode).toBe(200);
    expect(await lastSeen(worked)).toBe(clock.toISOString());
    advance(settings.idleMinutes - 25 + 1);
    // The page left alone: its next poll finds the session ended, and htmx takes the whole page to sign-in.
    const ended = await poll(left);
    expect(ended.headers['hx-redirect']).toBe(`/login?next=${encodeURIComponent(`/quarter/live?campaign=${campaignId}`)}&expired=1`);
    expect(left.cookies.has('ssj_sid') && (await store.getSession(sha256(left.cookies.get('ssj_sid')!)))).toBeFalsy();
    expect((await left.get(`/quarter?campaign=${campaignId}`)).statusCode).toBe(303);
    const expired = (await store.listAudit({ action: 'session.expired' })).find((e) => e.target === 'leader1');
    expect(expired?.detail).toEqual({ reason: 'idle' });
    // The one who worked is still signed in.
    expect((await poll(worked)).statusCode).toBe(200);
    expect((await worked.get('/')).statusCode).toBe(200);
  });
});
