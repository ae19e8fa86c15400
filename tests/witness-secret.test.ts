// A witness's secret file (client/witness-secret.ts) on a real file system, the public form of
// the ceremonies (domain/ceremonies.ts), and the demo witnesses' plan (domain/simulation.ts).
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSecretPath, makeWitnessSecret, readSecretFile, WitnessSecretError, writeSecretFile } from '../client/witness-secret';
import { witnessCommitment } from '../domain/draw/commitment';
import { ceremoniesSentence, formatCeremonies } from '../domain/ceremonies';
import { witnessPlan } from '../domain/simulation';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-witness-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const base = { campaignId: 'campaign-x-2024q1', ceremony: 1, manifestDigest: 'ab'.repeat(32), role: 'admin' as const, personId: 'ADM1', entropy: 'DiceRolls6625143321' };

describe('the witness secret file', () => {
  it('makes a fresh 128-bit salt each time and the commitment of DRAW-SPEC section 11', () => {
    const a = makeWitnessSecret(base);
    const b = makeWitnessSecret(base);
    expect(a.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(a.salt).not.toBe(b.salt);
    expect(a.commitment).toBe(witnessCommitment(base.manifestDigest, 'admin', 'ADM1', a.salt, base.entropy));
  });

  it('is written 0600 in a 0700 folder, never overwritten, and read back only while private and intact', () => {
    const secret = makeWitnessSecret(base);
    const file = defaultSecretPath(secret, dir);
    expect(file).toBe(path.join(dir, '.ssj', 'witness', 'campaign-x-2024q1.c1.admin.ADM1.json'));
    writeSecretFile(file, secret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readSecretFile(file)).toEqual(secret);
    expect(() => writeSecretFile(file, makeWitnessSecret(base))).toThrow(/already exists; it may hold a secret still needed for a reveal/);
    expect(readSecretFile(file).salt).toBe(secret.salt);

    fs.chmodSync(file, 0o640);
    expect(() => readSecretFile(file)).toThrow(new WitnessSecretError(`${file} can be read by others (mode 640); a witness secret must be mode 600: chmod 600 ${file}`));
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, JSON.stringify({ ...secret, entropy: 'SomethingElse12345' }));
    expect(() => readSecretFile(file)).toThrow(/do not reproduce its commitment; the file was changed/);
    expect(() => readSecretFile(path.join(dir, 'none.json'))).toThrow(/no such secret file/);
  });
});

describe('the public record of the ceremonies', () => {
  const at = '2024-01-04T00:00:00+08:00';
  const c = (n: number) => 'c'.repeat(63) + String(n);
  const list = [
    {
      outcome: 'drawn' as const,
      ceremony: { number: 2, startedAt: at, witnesses: [{ role: 'admin', personId: 'ADM1', commitment: c(3), committedAt: at, revealedAt: at }], revealBy: at },
    },
    {
      outcome: 'void' as const,
      ceremony: {
        number: 1,
        startedAt: at,
        witnesses: [
          { role: 'admin', personId: 'ADM1', commitment: c(1), committedAt: at, revealedAt: at },
          { role: 'discipline', personId: 'DIS1', commitment: c(2), committedAt: at, revealedAt: null },
        ],
        revealBy: at,
        voidedAt: at,
        failed: [{ role: 'discipline', personId: 'DIS1', reason: 'no-reveal' as const }],
      },
    },
  ];

  it('ceremonies.json lists them in order, the void one with who failed and why', () => {
    const json = JSON.parse(formatCeremonies(list));
    expect(json.map((x: { number: number; outcome: string }) => [x.number, x.outcome])).toEqual([
      [1, 'void'],
      [2, 'drawn'],
    ]);
    expect(Object.keys(json[0])).toEqual(['number', 'outcome', 'started_at', 'witnesses', 'reveal_by', 'voided_at', 'failed']);
    expect(json[0].failed).toEqual([{ role: 'discipline', person_id: 'DIS1', reason: 'no-reveal', reason_label: '未在揭示期限内提交与承诺值一致的揭示' }]);
    expect(Object.keys(json[1])).not.toContain('failed');
  });

  it('the 公示 line names the ceremonies and why one was void', () => {
    expect(ceremoniesSentence(list, (r) => (r === 'discipline' ? '办公室纪检人员' : r))).toBe(
      '抽取共举行2次见证仪式（先提交承诺值、再揭示，作废仪式的承诺值一并公开，见 ceremonies.json）：第1次因办公室纪检人员（DIS1）未在揭示期限内提交与承诺值一致的揭示而作废；第2次完成抽取。',
    );
    expect(ceremoniesSentence([], (r) => r)).toBe('');
  });
});

describe("the demo witnesses' plan", () => {
  it('voids ceremony 1 (the discipline officer never reveals) and draws in ceremony 2 after the draw day', () => {
    const plan = witnessPlan('2023-01-01', '2023-01-10');
    const c1 = plan.filter((s) => s.ceremony === 1);
    expect(c1.filter((s) => s.action === 'commit').map((s) => s.role)).toEqual(['admin', 'discipline']);
    expect(c1.filter((s) => s.action === 'reveal').map((s) => s.role)).toEqual(['admin']);
    const c2 = plan.filter((s) => s.ceremony === 2);
    expect(c2.filter((s) => s.action === 'reveal').map((s) => s.role).sort()).toEqual(['admin', 'discipline']);
    expect(c2.find((s) => s.role === 'discipline' && s.action === 'commit')!.on).toBe('2023-01-11');
  });
});
