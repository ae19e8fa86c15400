// Two connections to one SQLite file, as the console and a registry import are: while one holds
// the write lock, the other's write waits (and then goes through), and that connection's reads
// are not held up behind the waiting write.
import { afterEach, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSqliteDatabase } from '../stores/sqlite';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

it("a write waiting for another connection's lock does not hold up this connection's reads", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-busy-'));
  dirs.push(dir);
  const file = path.join(dir, 'ssj.db');
  const a = openSqliteDatabase(file);
  const b = openSqliteDatabase(file);
  await a.exec('CREATE TABLE t (n INTEGER)');
  await a.run('INSERT INTO t (n) VALUES (1)');

  const events: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const lockTaken = new Promise<void>((r) => (locked = r));
  // A holds the write lock across an await (a long import transaction).
  const longWrite = a.transaction(async (tx) => {
    await tx.run('INSERT INTO t (n) VALUES (2)');
    locked();
    await held;
    events.push('a committed');
  });
  await lockTaken;
  // B's write finds the database busy and waits; B's read, asked after it, answers at once.
  const write = b.run('INSERT INTO t (n) VALUES (3)').then(() => events.push('b wrote'));
  await new Promise((r) => setTimeout(r, 20));
  const read = await b.get<{ n: number }>('SELECT COUNT(*) AS n FROM t');
  events.push('b read');
  expect(read?.n).toBe(1); // A's row is not committed yet
  release();
  await longWrite;
  await write;
  expect(events).toEqual(['b read', 'a committed', 'b wrote']);
  expect((await b.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))?.n).toBe(3);
  await a.close();
  await b.close();
});
