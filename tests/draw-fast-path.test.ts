// `ssj draw`'s fast path must change nothing but speed: units.csv scanned as bytes into a table
// (domain/draw/unit-table.ts) parses, refuses and draws exactly as the ordinary parser does, and
// tickets hashed four at a time in WebAssembly SIMD (domain/draw/tickets-simd.ts) equal the
// one-by-one JavaScript ones and node:crypto, for every batch size around the threshold, every
// label length, and ids too long for one block.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import seedrandom from 'seedrandom';
import { afterEach, describe, expect, it } from 'vitest';
import { bindWitnesses, chooseTeam, parseWitness, runDraw } from '../domain/draw/draw';
import { MANIFEST_FILES, type ManifestFileName } from '../domain/draw/digest';
import { type Manifest, ManifestError, parseDrawManifest, parseManifest, serializeManifest } from '../domain/draw/manifest';
import { readDrawManifest } from '../domain/draw/read-manifest';
import { BATCH_MIN, TicketHasher, ticketBatchesInSimd, ticketHex, ticketLanes, useTicketBatches } from '../domain/draw/tickets';
import { UnitTable, hasUnitId, idBytesOf, scanUnitsCsv, unitIdAt, unitIdsAt, unitTableOf } from '../domain/draw/unit-table';
import { placeUnitsCsv, scanUnitsCsvWasm } from '../domain/draw/units-scan-wasm';
import { syntheticManifest } from './fixtures/draw/synthetic';
import { vectorFiles, vectorWitnesses, type VectorName } from './fixtures/draw/vectors';

afterEach(() => useTicketBatches(true));

const seed = crypto.createHash('sha256').update('fast path test').digest('hex');
const reference = (label: string): string => crypto.createHash('sha256').update(`${seed}|${label}`).digest('hex');
const HEADER = 'unit_id,category,jurisdiction,tier,positive';

describe('tickets in SIMD batches', () => {
  it('run here (Node has WebAssembly SIMD), so the batch path is the one tested', () => {
    expect(ticketBatchesInSimd()).toBe(true);
  });

  it('equal node:crypto and the one-by-one tickets for batch sizes 1 to 2 x BATCH_MIN + 5, ids of 1 to 64 characters', () => {
    const hasher = new TicketHasher(seed);
    const fixedParts = ['select|general.brigade-pingqiao|', 'assign|914115000000ABCDEF|', 'a|', `select|${'p'.repeat(50)}|`];
    let checked = 0;
    for (const fixed of fixedParts) {
      const prefix = hasher.prefix(fixed);
      for (let count = 1; count <= 2 * BATCH_MIN + 5; count++) {
        // Lengths cycle through 1..64, so every batch mixes one-block ids with ids that fall back.
        const ids = Array.from({ length: count }, (_, j) => 'Zz9._-A0'.repeat(8).slice(0, 1 + ((count * 7 + j * 13) % 64)));
        for (const batches of [true, false]) {
          useTicketBatches(batches);
          const out = new Int32Array(8 * count).fill(-1);
          prefix.writeUnits(idBytesOf(ids), Int32Array.from(ids.keys()), count, out);
          ids.forEach((id, j) => expect(ticketHex(out, 8 * j), `${fixed}${id} (batch of ${count}, SIMD ${batches})`).toBe(reference(fixed + id)));
          checked += count;
        }
      }
    }
    expect(checked).toBe(fixedParts.length * 2 * (((2 * BATCH_MIN + 5) * (2 * BATCH_MIN + 6)) / 2));
  });

  it('of unit ids read from a table equal the one-by-one tickets and node:crypto, across several chunks, id by id or all at once', () => {
    const ids = Array.from({ length: 9000 }, (_, i) => `U${String(i).padStart(6, '0')}`);
    const table = unitTableOf(ids.map((unitId) => ({ unitId, category: 'c', jurisdiction: 'j', tier: '-', positive: false })));
    const prefix = new TicketHasher(seed).prefix('select|pool|');
    // A plain array is queued id by id (pushRef); an Int32Array of ids that all fit one block is
    // handed over a chunk at once (pushAll), its results copied back at once. A count short of the
    // array's length hashes only that many.
    const byId = new Int32Array(8 * ids.length);
    prefix.writeUnits(table, [...ids.keys()], ids.length, byId);
    const indices = Int32Array.from({ length: ids.length + 5 }, (_, j) => (j * 7919) % ids.length);
    const atOnce = new Int32Array(8 * ids.length + 8).fill(-1);
    prefix.writeUnits(table, indices, ids.length, atOnce);
    useTicketBatches(false);
    const oneByOne = new Int32Array(8 * ids.length);
    prefix.writeUnits(table, [...ids.keys()], ids.length, oneByOne);
    expect(byId).toEqual(oneByOne);
    for (const j of [0, 4095, 4096, 8999]) expect(ticketHex(byId, 8 * j)).toBe(reference(`select|pool|${ids[j]}`));
    for (let j = 0; j < ids.length; j++) expect(atOnce.subarray(8 * j, 8 * j + 8)).toEqual(oneByOne.subarray(8 * indices[j]!, 8 * indices[j]! + 8));
    expect([...atOnce.subarray(8 * ids.length)]).toEqual(Array(8).fill(-1));
  });

  it('of unit ids of 1 to 64 characters, in any order, from tables the module copies in turn, equal node:crypto for labels of every alignment', () => {
    expect(ticketBatchesInSimd()).toBe(true); // so the module lays out these blocks (pushRef), not JavaScript
    const hasher = new TicketHasher(seed);
    let checked = 0;
    for (const fixed of ['select|general.brigade-pingqiao|', 'select|p|', 'select|pq|', 'select|pqr|', `select|${'p'.repeat(46)}|`]) {
      const prefix = hasher.prefix(fixed);
      for (const table of [0, 1, 0]) {
        // Two tables of different bytes, the first used again: each use must hash its own ids.
        const ids = Array.from({ length: 300 }, (_, j) => `${table}${'Zz9._-A0'.repeat(8)}`.slice(0, 1 + ((j * 13 + table) % 64)));
        const units = unitTableOf(ids.map((unitId) => ({ unitId, category: 'c', jurisdiction: 'j', tier: '-', positive: false })));
        // Some of these ids need two blocks: an Int32Array of them is queued id by id all the same.
        const order = table === 1 ? Int32Array.from([...ids.keys()].reverse()) : [...ids.keys()].reverse();
        const out = new Int32Array(8 * order.length).fill(-1);
        prefix.writeUnits(units, order, order.length, out);
        order.forEach((u, j) => expect(ticketHex(out, 8 * j), `${fixed}${ids[u]}`).toBe(reference(fixed + (ids[u] as string))));
        checked += order.length;
      }
    }
    expect(checked).toBe(5 * 3 * 300);
  });
});

describe('units.csv scanned into a table', () => {
  it('gives the table of the ordinary parse for every vector, and the same draw with or without SIMD', () => {
    for (const name of ['small', 'city', 'small-v2'] as VectorName[]) {
      const files = vectorFiles(name);
      const ordinary = parseManifest(files);
      const scanned = scanUnitsCsv(Buffer.from(files['units.csv']), HEADER);
      expect(scanned, name).not.toBeNull();
      const { ids: _a, ...fromScan } = scanned!;
      const { ids: _b, ...fromRows } = unitTableOf(ordinary.units);
      expect(fromScan.kinds).toEqual(fromRows.kinds);
      expect(fromScan.kind).toEqual(fromRows.kind);
      expect(fromScan.positive).toEqual(fromRows.positive);
      expect(fromScan.idLength).toEqual(fromRows.idLength);
      const record = runDraw(ordinary, vectorWitnesses(name));
      expect(runDraw(parseDrawManifest(files), vectorWitnesses(name))).toStrictEqual(record);
      useTicketBatches(false);
      expect(runDraw(parseDrawManifest(files), vectorWitnesses(name))).toStrictEqual(record);
      useTicketBatches(true);
    }
  });

  it('draws a 20,000-unit synthetic manifest as the ordinary path does, SIMD on and off', () => {
    const files = serializeManifest(syntheticManifest({ units: 20_000, spec: 'ssj-draw/2' }));
    // small-v2's witnesses, their commitments recomputed for this manifest's digest.
    const reveals = vectorWitnesses('small-v2').map((w) => ({ role: w.role, person_id: w.person_id, salt: (w as { salt: string }).salt, entropy: w.entropy }));
    const bound = bindWitnesses(reveals, parseManifest(files));
    useTicketBatches(false);
    const ordinary = runDraw(parseManifest(files), bound);
    useTicketBatches(true);
    expect(runDraw(parseDrawManifest(files), bound)).toStrictEqual(ordinary);
    expect(ordinary.assignments.length).toBeGreaterThan(500);
  });

  it('turns down every broken file, and parseDrawManifest then refuses with the ordinary messages', () => {
    const files = vectorFiles('city');
    const units = files['units.csv'];
    const rng = seedrandom('scan');
    const lines = units.split('\n');
    const breakers: ((line: string) => string)[] = [
      (l) => l.replace(',', ';'),
      (l) => `${l},extra`,
      (l) => l.replace(/,[01]$/, ',2'),
      (l) => l.replace(/^[^,]+/, (id) => id.toLowerCase().replace(/[0-9]/, '!')),
      (l) => l.replace(/,([a-z])/, (_, c: string) => `,${c.toUpperCase()}`),
      (l) => l.replace(/,[^,]+,/, ',,'),
      (l) => `${l}\r`,
      (l) => l.replace(/^[^,]+/, 'X'.repeat(65)),
      (l) => l.replace(/^([^,]+),([^,]+)/, (_, id: string, c: string) => `${id},${c}${'x'.repeat(64)}`),
      (l) => l.replace(/,(-|[a-z0-9._-]+),([01])$/, ',*,$2'),
      (l) => `${l}é`,
    ];
    let refused = 0;
    for (const breakIt of breakers) {
      const at = 1 + Math.floor(rng() * (lines.length - 2));
      const broken = [...lines];
      broken[at] = breakIt(broken[at] as string);
      const text = broken.join('\n');
      expect(scanUnitsCsv(Buffer.from(text), HEADER), `${breakIt}`).toBeNull();
      expect(scanUnitsCsvWasm(Buffer.from(text), HEADER), `${breakIt} (WebAssembly)`).toBeNull();
      const mutated = { ...files, 'units.csv': text };
      const ordinary = catchError(() => parseManifest(mutated));
      const drawPath = catchError(() => parseDrawManifest(mutated));
      expect(ordinary).toBeInstanceOf(ManifestError);
      expect(drawPath?.message).toBe(ordinary?.message);
      refused++;
    }
    // Order, duplicates, the header, the last LF and a BOM.
    const swapped = [...lines];
    [swapped[5], swapped[6]] = [swapped[6] as string, swapped[5] as string];
    for (const text of [
      swapped.join('\n'),
      [...lines.slice(0, 6), lines[5], ...lines.slice(6)].join('\n'),
      units.replace(HEADER, 'unit_id,category,jurisdiction,tier'),
      units.slice(0, -1),
      `\ufeff${units}`,
      '',
    ]) {
      expect(scanUnitsCsv(Buffer.from(text), HEADER)).toBeNull();
      expect(scanUnitsCsvWasm(Buffer.from(text), HEADER)).toBeNull();
      const mutated = { ...files, 'units.csv': text };
      expect(catchError(() => parseDrawManifest(mutated))?.message).toBe(catchError(() => parseManifest(mutated))?.message);
      refused++;
    }
    expect(refused).toBe(breakers.length + 6);
  });
});

describe('units.csv read in place (ssj draw)', () => {
  const folder = (units: number, seed: number) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-in-place-'));
    for (const [name, text] of Object.entries(serializeManifest(syntheticManifest({ units, seed })))) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  };
  const witnesses = (m: Pick<Manifest, 'params' | 'manifestDigest'>) =>
    bindWitnesses([parseWitness('admin:ADM001:31415926535897932384'), parseWitness('discipline:DIS007:27182818284590452353')], m);

  it('draws as from the files read as usual, and its table keeps its bytes through growth, teams and the next read', () => {
    const [a, b] = [folder(20_000, 1), folder(3_000, 2)];
    try {
      const fileA = fs.readFileSync(path.join(a, 'units.csv'));
      const usual = parseDrawManifest(Object.fromEntries(MANIFEST_FILES.map((f) => [f, fs.readFileSync(path.join(a, f))])) as Record<ManifestFileName, Buffer>);
      const expected = runDraw(usual, witnesses(usual));
      const inPlace = readDrawManifest(a);
      const table = inPlace.unitTable;
      expect(Buffer.from(table.bytes).equals(fileA)).toBe(true);
      expect(table.bytes.buffer, 'a view of the lanes memory, not a copy').toBe(ticketLanes()!.memoryBytes.buffer);
      expect(inPlace.manifestDigest).toBe(usual.manifestDigest);
      // The draw hashes the inspectors too (after the bytes kept in place) and grows the memory.
      expect(runDraw(inPlace, witnesses(inPlace))).toStrictEqual(expected);
      expect(Buffer.from(table.bytes).equals(fileA)).toBe(true);
      expect(ticketLanes()!.reserve(ticketLanes()!.memoryBytes.length + 8 * 65536)).toBe(true);
      expect(Buffer.from(table.bytes).equals(fileA), 'after the memory grew').toBe(true);
      // Another manifest read in place: the first table gets its own copy, and draws the same.
      const second = readDrawManifest(b);
      expect(table.bytes.buffer).not.toBe(ticketLanes()!.memoryBytes.buffer);
      expect(Buffer.from(table.bytes).equals(fileA)).toBe(true);
      expect(runDraw(inPlace, witnesses(inPlace))).toStrictEqual(expected);
      expect(Buffer.from(second.unitTable.bytes).equals(fs.readFileSync(path.join(b, 'units.csv')))).toBe(true);
      useTicketBatches(false);
      expect(runDraw(second, witnesses(second))).toStrictEqual(runDraw(parseManifest(Object.fromEntries(MANIFEST_FILES.map((f) => [f, fs.readFileSync(path.join(b, f))])) as Record<ManifestFileName, Buffer>), witnesses(second)));
    } finally {
      for (const dir of [a, b]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes what the file holds, or nothing when it holds more than its size said', () => {
    const header = 'unit_id,category,jurisdiction,tier,positive';
    const text = `${header}\nA,c,j,-,0\n`;
    const short = placeUnitsCsv(4096, header, (into) => (into.set(Buffer.from(text)), text.length));
    expect(short && Buffer.from(short).toString()).toBe(text);
    expect(placeUnitsCsv(4096, header, () => undefined)).toBeUndefined();
    expect(placeUnitsCsv(header.length, header, () => 0), 'too small to be read in place').toBeUndefined();
  });

  it('refuses a broken units.csv read in place with the ordinary messages', () => {
    const dir = folder(2_000, 3);
    try {
      const file = path.join(dir, 'units.csv');
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines[5] = lines[5]!.replace(',', ',,');
      fs.writeFileSync(file, lines.join('\n'));
      let inPlace: unknown;
      try {
        readDrawManifest(dir);
      } catch (err) {
        inPlace = err;
      }
      expect(inPlace).toBeInstanceOf(ManifestError);
      expect(() => parseManifest(Object.fromEntries(MANIFEST_FILES.map((f) => [f, fs.readFileSync(path.join(dir, f))])) as Record<ManifestFileName, Buffer>)).toThrow((inPlace as Error).message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unit ids looked up in WebAssembly', () => {
  /** Each probe looked up in the lanes and by hasUnitId: the answers agree; how many were found. */
  const lookUp = (table: UnitTable, probes: readonly string[]): number => {
    const lanes = ticketLanes()!;
    let found = 0;
    for (const id of probes) {
      const inLanes = lanes.hasId(table, id);
      expect(inLanes, id).toBe(hasUnitId(table, id));
      if (inLanes) found++;
    }
    return found;
  };

  it('are found exactly where hasUnitId finds them: every id of a scanned table, and near misses', () => {
    const files = serializeManifest(syntheticManifest({ units: 5000 }));
    const table = scanUnitsCsvWasm(Buffer.from(files['units.csv']), HEADER)!;
    const rng = seedrandom('lookup');
    const probes: string[] = [];
    for (let i = 0; i < table.count; i++) {
      const id = unitIdAt(table, i);
      const k = Math.floor(rng() * id.length);
      const changed = String.fromCharCode(id.charCodeAt(k) + (rng() < 0.5 ? 1 : -1));
      probes.push(id, id.slice(0, -1), `${id}0`, id.slice(0, k) + changed + id.slice(k + 1));
    }
    probes.push('', '0', 'ZZZZZZZZZZZZZZZZZZ', 'é', '中', unitIdAt(table, 0).slice(0, 5));
    const found = lookUp(table, probes);
    expect(found).toBeGreaterThanOrEqual(table.count);
    expect(found).toBeLessThan(probes.length / 2);
    expect(ticketLanes()!.hasId(unitTableOf([]), 'X'), 'not the source: the caller searches').toBeNull();
  });

  it('are found exactly where hasUnitId finds them for ids of 1 to 64 characters sharing long prefixes, differing on either side of each 16 bytes', () => {
    const rng = seedrandom('long ids');
    const stem = 'A0b1C2d3E4f5G6h7I8j9K0l1M2n3O4p5Q6r7S8t9U0v1W2x3Y4z5A6b7C8d9E0f1';
    const ids = new Set<string>();
    for (let n = 1; n <= 64; n++) {
      ids.add(stem.slice(0, n));
      for (const at of [0, 14, 15, 16, 17, 30, 31, 32, 33, 47, 48, 63]) if (at < n) ids.add(stem.slice(0, at) + 'Z' + stem.slice(at + 1, n));
    }
    while (ids.size < 1500) ids.add(stem.slice(0, 1 + Math.floor(rng() * 64)).replace(/./g, (c) => (rng() < 0.02 ? 'xyz'[Math.floor(rng() * 3)] as string : c)));
    const sorted = [...ids].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const csv = `${HEADER}\n${sorted.map((id) => `${id},general,shihe,-,0\n`).join('')}`;
    const table = scanUnitsCsvWasm(Buffer.from(csv), HEADER)!;
    expect(table.count).toBe(sorted.length);
    const probes: string[] = [];
    for (const id of sorted) probes.push(id, id.slice(0, -1), `${id}0`, `${id.slice(0, -1)}~`, id.replace(/.$/, '!'));
    expect(lookUp(table, probes)).toBeGreaterThanOrEqual(sorted.length);
  });
});

describe('drawn ids made in one go', () => {
  it('are the ids unitIdAt makes one by one, for any indices (repeats, none) of a scanned table and of rows', () => {
    const files = serializeManifest(syntheticManifest({ units: 3000 }));
    const scanned = scanUnitsCsv(Buffer.from(files['units.csv']), HEADER)!;
    const rows = unitTableOf(parseManifest(files).units);
    const rng = seedrandom('ids');
    for (const table of [scanned, rows]) {
      for (const length of [0, 1, 7, 3000]) {
        const indices = Array.from({ length }, () => Math.floor(rng() * table.count));
        const fresh = scanUnitsCsv(Buffer.from(files['units.csv']), HEADER)!; // no id made yet
        expect(unitIdsAt(table, indices)).toEqual(indices.map((i) => unitIdAt(fresh, i)));
      }
    }
  });
});

describe('selection in WebAssembly', () => {
  /** The reference: every entry not taken, by (ticket from node:crypto, id bytes), the first `quota`. */
  const lowest = (fixed: string, ids: readonly string[], units: Int32Array, quota: number, taken: Uint8Array | null) => {
    const entries = [...units].filter((u) => !taken || taken[u] === 0).map((u) => ({ u, ticket: reference(fixed + ids[u]), id: Buffer.from(ids[u]!, 'latin1') }));
    entries.sort((a, b) => (a.ticket !== b.ticket ? (a.ticket < b.ticket ? -1 : 1) : Buffer.compare(a.id, b.id)));
    return { selected: entries.slice(0, quota).map((e) => e.u), candidates: entries.length };
  };

  it('keeps what sorting by (ticket, id) keeps, for random buckets, quotas and taken units, repeats included, across chunks', () => {
    expect(ticketBatchesInSimd()).toBe(true);
    const rng = seedrandom('selection');
    const hasher = new TicketHasher(seed);
    let inLanes = 0;
    for (let round = 0; round < 60; round++) {
      // Ids of 2 to 34 characters (every 7th round up to 52: too long for one block with the label),
      // many alike but for their length (the id order: bytes, then length).
      const count = 1 + Math.floor(rng() * (round % 10 === 0 ? 9000 : 400));
      const longest = round % 7 === 3 ? 48 : 30;
      const ids = [...new Set(Array.from({ length: count }, () => 'AB0'.repeat(16).slice(0, 1 + Math.floor(rng() * longest)) + Math.floor(rng() * 1e4).toString(36)))];
      const table = idBytesOf(ids);
      const fixed = `select|${'p'.repeat(Math.floor(rng() * 8))}|`;
      // Repeats hash alike: equal tickets, so the id (equal too) and the heap's handling of ties are exercised.
      const units = Int32Array.from({ length: Math.floor(rng() * 1.5 * ids.length) + BATCH_MIN }, () => Math.floor(rng() * ids.length));
      const taken = rng() < 0.5 ? null : Uint8Array.from(ids, () => (rng() < 0.3 ? 1 : 0));
      const quota = [1, 2, 7, 50, units.length, units.length + 3][Math.floor(rng() * 6)]!;
      const got = hasher.prefix(fixed).selectLowest(table, units, units.length, quota, taken);
      const want = lowest(fixed, ids, units, quota, taken);
      if (`|${fixed}`.length + Math.max(...ids.map((id) => id.length)) > 55) {
        expect(got, 'an id that needs two blocks: the caller selects in JavaScript').toBeNull();
        continue;
      }
      expect(got, `round ${round}: ${units.length} units, quota ${quota}`).toEqual(want);
      inLanes++;
    }
    expect(inLanes).toBeGreaterThan(40);
    expect(inLanes).toBeLessThan(60);
  });

  it('leaves the draw as it is in JavaScript: the vectors and a synthetic manifest, exclusive and not', () => {
    for (const name of ['small', 'city', 'small-v2'] as VectorName[]) {
      const files = vectorFiles(name);
      const fast = runDraw(parseDrawManifest(files), vectorWitnesses(name));
      useTicketBatches(false);
      expect(fast).toStrictEqual(runDraw(parseManifest(files), vectorWitnesses(name)));
      useTicketBatches(true);
    }
    for (const exclusive of [true, false]) {
      const manifest = syntheticManifest({ units: 30_000 });
      const files = serializeManifest({ ...manifest, params: { ...manifest.params, exclusive } });
      const witnesses = bindWitnesses([parseWitness('admin:ADM001:31415926535897932384'), parseWitness('discipline:DIS007:27182818284590452353')], parseManifest(files));
      const fast = runDraw(parseDrawManifest(files), witnesses);
      useTicketBatches(false);
      expect(fast).toStrictEqual(runDraw(parseManifest(files), witnesses));
      useTicketBatches(true);
    }
  });
});

describe('teams chosen in WebAssembly', () => {
  it('are the teams chooseTeam picks, for 2,000 random units, loads, eligible lists (repeats included) and team sizes', () => {
    const rng = seedrandom('teams');
    const inspectorIds = Array.from({ length: 80 }, (_, i) => `${'I'.repeat(1 + (i % 30))}-${String(i).padStart(3, '0')}`);
    const teams = new TicketHasher(seed).teams(idBytesOf(inspectorIds), 80, 6);
    expect(teams).not.toBeNull();
    let compared = 0;
    let tooLong = 0;
    for (let u = 0; u < 2000; u++) {
      const unitId = `U${Math.floor(rng() * 1e6)}`.padEnd(1 + Math.floor(rng() * 24), 'x');
      for (let i = 0; i < inspectorIds.length; i++) teams!.loads[i] = Math.floor(rng() * 4);
      const eligible = Array.from({ length: 2 + Math.floor(rng() * 60) }, () => Math.floor(rng() * inspectorIds.length));
      const size = 1 + Math.floor(rng() * 5);
      const fromWasm = teams!.choose(unitId, eligible, size);
      useTicketBatches(false); // chooseTeam hashes in JavaScript here, leaving the module's memory alone
      const fromJs = chooseTeam(seed, unitId, eligible, teams!.loads, size, inspectorIds);
      useTicketBatches(true);
      if (fromWasm === null) {
        tooLong++; // "|assign|<unit>|" and the longest id need two blocks: the caller uses chooseTeam
        expect(`|assign|${unitId}|`.length + 34).toBeGreaterThan(55);
        continue;
      }
      expect(fromWasm, `unit ${unitId}, eligible ${eligible.join(' ')}`).toEqual(fromJs);
      compared++;
    }
    expect(compared).toBeGreaterThan(800);
    expect(tooLong).toBeGreaterThan(100);
  });
});

describe('teams of a run of units chosen in one call', () => {
  it('are the teams chooseTeam picks one by one with the loads raised after each, for runs of 1 to 1,300 units (several calls)', () => {
    const rng = seedrandom('team runs');
    const inspectorIds = Array.from({ length: 70 }, (_, i) => `${'J'.repeat(1 + (i % 12))}-${String(i).padStart(3, '0')}`);
    const teams = new TicketHasher(seed).teams(idBytesOf(inspectorIds), 70, 5)!;
    let units = 0;
    for (const runLength of [1, 2, 7, 511, 512, 513, 1300]) {
      const size = 1 + Math.floor(rng() * 5);
      const eligible = Array.from({ length: size + Math.floor(rng() * 40) }, () => Math.floor(rng() * inspectorIds.length));
      const unitIds = Array.from({ length: runLength + 4 }, (_, j) => `R${runLength}-${j}-${Math.floor(rng() * 1e6)}`.slice(0, 1 + Math.floor(rng() * 20)));
      for (let i = 0; i < inspectorIds.length; i++) teams.loads[i] = Math.floor(rng() * 3);
      // The reference: one by one in JavaScript, raising a copy of the loads after each.
      const loads = Int32Array.from(teams.loads);
      useTicketBatches(false);
      const expected = unitIds.slice(2, 2 + runLength).map((id) => {
        const team = chooseTeam(seed, id, eligible, loads, size, inspectorIds);
        for (const i of team) loads[i] = (loads[i] as number) + 1;
        return team;
      });
      useTicketBatches(true);
      const got: number[][] = [];
      const seen: number[] = [];
      teams.chooseRun(unitIds, 2, 2 + runLength, eligible, size, (j, members, at) => {
        seen.push(j);
        got.push(Array.from(members.subarray(at, at + size)));
      });
      expect(seen).toEqual(Array.from({ length: runLength }, (_, j) => 2 + j));
      expect(got, `a run of ${runLength}, teams of ${size}`).toEqual(expected);
      expect(Array.from(teams.loads), 'the loads raised in the module, as one by one').toEqual(Array.from(loads));
      units += runLength;
    }
    expect(units).toBe(2846);
  });

  it('refuse a run longer than the room made, fewer eligible than the team, a label too long for one block, or an id not ASCII', () => {
    const inspectorIds = Array.from({ length: 40 }, (_, i) => `I-${String(i).padStart(3, '0')}`);
    const lanes = ticketLanes()!;
    const teams = new TicketHasher(seed).teams(idBytesOf(inspectorIds), 40, 3)!;
    expect(teams.fits('U'.repeat(55 - 9 - 5))).toBe(true);
    expect(teams.fits('U'.repeat(55 - 9 - 4))).toBe(false);
    expect(() => lanes.chooseTeams(['U'], 0, 1, [1, 2], 3)).toThrow(/2 eligible, teams of 3/);
    expect(() => lanes.chooseTeams(Array.from({ length: 600 }, () => 'U'), 0, 600, [1, 2, 3], 3)).toThrow(/a run of 600 units; at most 512/);
    expect(() => lanes.chooseTeams(['U'.repeat(42)], 0, 1, [1, 2, 3], 3)).toThrow(/need more than one block/);
    expect(() => lanes.chooseTeams(['A1', 'Ü'], 0, 2, [1, 2, 3], 3)).toThrow(/unit ids are ASCII/);
    expect(lanes.chooseTeams(['U'.repeat(41)], 0, 1, [1, 2, 3], 3)).toHaveLength(3);
  });
});

describe('teams chosen in WebAssembly, guarded', () => {
  it('are refused, not answered from overwritten memory, once other ids were hashed since the set-up, and beyond the room it made', () => {
    const inspectorIds = Array.from({ length: 40 }, (_, i) => `I-${String(i).padStart(3, '0')}`);
    const inspectors = idBytesOf(inspectorIds);
    const hasher = new TicketHasher(seed);
    const teams = hasher.teams(inspectors, 40, 2)!;
    const eligible = [...inspectorIds.keys()];
    expect(teams.choose('U1', eligible, 2)).toHaveLength(2);
    expect(() => teams.choose('U1', [...eligible, 0], 2)).toThrow(/41 eligible, team of 2: beginTeams\(\) made room for 40 and 2/);
    expect(() => teams.choose('U1', eligible, 3)).toThrow(/made room for 40 and 2/);
    // Another table hashed, then the inspectors again (the same table object): the set-up is gone.
    const others = unitTableOf(Array.from({ length: 5000 }, (_, i) => ({ unitId: `X${i}`, category: 'c', jurisdiction: 'j', tier: '-', positive: false })));
    hasher.prefix('select|p|').writeUnits(others, Int32Array.from(others.idStart.keys()), others.count, new Int32Array(8 * others.count));
    hasher.prefix('assign|U1|').writeUnits(inspectors, Int32Array.from(inspectorIds.keys()), 40, new Int32Array(8 * 40));
    expect(() => teams.choose('U1', eligible, 2)).toThrow(/beginTeams\(\) first/);
  });
});

describe('units.csv scanned in WebAssembly', () => {
  /** A table without its cache of id strings, as plain arrays (so tables from either scan compare). */
  const plain = (t: UnitTable | null | undefined) =>
    t && { count: t.count, idStart: [...t.idStart], idLength: [...t.idLength], kind: [...t.kind], kinds: t.kinds, positive: [...t.positive], bytes: Buffer.from(t.bytes).toString('latin1') };

  it('runs here, and gives the table of the JavaScript scan for every vector and a synthetic manifest', () => {
    const texts = [...(['small', 'city', 'small-v2'] as VectorName[]).map((n) => vectorFiles(n)['units.csv']), serializeManifest(syntheticManifest({ units: 30_000 }))['units.csv']];
    for (const text of texts) {
      const wasm = scanUnitsCsvWasm(Buffer.from(text), HEADER);
      expect(wasm).toBeTruthy();
      expect(plain(wasm)).toEqual(plain(scanUnitsCsv(Buffer.from(text), HEADER)));
    }
  });

  it('passes and refuses exactly what the JavaScript scan does, for 3,000 random edits of a file, with the same table when it passes', () => {
    const text = serializeManifest(syntheticManifest({ units: 300 }))['units.csv'];
    const rng = seedrandom('wasm scan');
    // Bytes that matter to the rules: separators, line ends, the classes' edges, one beyond ASCII.
    const alphabet = [',', '\n', '\r', '-', '.', '_', '0', '1', '2', '9', 'a', 'z', 'A', 'Z', '/', ':', '@', '[', '`', '{', '*', ' ', '\u00e9', ''];
    let passed = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      let mutated = text;
      for (let edits = 1 + Math.floor(rng() * 3); edits > 0; edits--) {
        const at = Math.floor(rng() * mutated.length);
        const by = alphabet[Math.floor(rng() * alphabet.length)] as string;
        const op = rng();
        mutated = op < 0.4 ? mutated.slice(0, at) + by + mutated.slice(at + 1) : op < 0.7 ? mutated.slice(0, at) + by + mutated.slice(at) : mutated.slice(0, at) + mutated.slice(at + 1 + Math.floor(rng() * 70));
      }
      const js = scanUnitsCsv(Buffer.from(mutated), HEADER);
      const wasm = scanUnitsCsvWasm(Buffer.from(mutated), HEADER);
      expect(plain(wasm), `edit ${i}`).toEqual(plain(js));
      if (js) passed++;
      else refused++;
    }
    // Both outcomes happened often enough for the comparison to mean something.
    expect(passed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });

  it('refuses ids out of order or repeated, values over 64 characters and more kinds than the table holds, as the JavaScript scan does', () => {
    const row = (id: string, kind = 'general,shihe,-') => `${id},${kind},0\n`;
    const cases: [string, boolean][] = [
      [row('A1') + row('A2'), true],
      [row('A2') + row('A1'), false],
      [row('A1') + row('A1'), false],
      [row('A1') + row('A10'), true],
      [row('A10') + row('A1'), false],
      [row('Z'.repeat(64)), true],
      [row('Z'.repeat(65)), false],
      [row('A1', `${'g'.repeat(64)},shihe,-`), true],
      [row('A1', `${'g'.repeat(65)},shihe,-`), false],
      [Array.from({ length: 2048 }, (_, i) => row(`U${String(i).padStart(5, '0')}`, `c${i},j,-`)).join(''), true],
      [Array.from({ length: 2049 }, (_, i) => row(`U${String(i).padStart(5, '0')}`, `c${i},j,-`)).join(''), false],
    ];
    for (const [rows, ok] of cases) {
      const text = `${HEADER}\n${rows}`;
      const js = scanUnitsCsv(Buffer.from(text), HEADER);
      expect(js !== null, rows.slice(0, 40)).toBe(ok);
      expect(plain(scanUnitsCsvWasm(Buffer.from(text), HEADER))).toEqual(plain(js));
    }
  });

  it('orders ids as the JavaScript scan does wherever they first differ, across its 16-byte comparisons, prefixes included', () => {
    // Pairs of ids sharing a prefix of every length up to 64: the next byte lower, equal or higher,
    // or one id ending there; the pair in both orders.
    const rng = seedrandom('id order');
    const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const pick = () => chars[1 + Math.floor(rng() * (chars.length - 2))] as string;
    let accepted = 0;
    let checked = 0;
    for (let shared = 1; shared <= 64; shared++) {
      const prefix = Array.from({ length: shared }, pick).join('');
      const tails = ['', pick(), pick() + pick(), `${pick()}${'x'.repeat(Math.floor(rng() * 20))}`].map((t) => t.slice(0, 64 - shared));
      for (const a of tails) {
        for (const b of tails) {
          const text = `${HEADER}\n${prefix}${a},general,shihe,-,0\n${prefix}${b},general,shihe,-,0\n`;
          const js = scanUnitsCsv(Buffer.from(text), HEADER);
          expect(plain(scanUnitsCsvWasm(Buffer.from(text), HEADER)), `${prefix}${a} then ${prefix}${b}`).toEqual(plain(js));
          if (js) accepted++;
          checked++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(checked / 4);
    expect(accepted).toBeLessThan(checked * 0.75);
  });

  it('tells apart kinds whose hashes are equal, as the JavaScript scan does', () => {
    // The scan's hash of a kind's bytes (its words, its last 4 bytes and its length), found equal
    // for two kinds of the same length by trying jurisdictions until two collide.
    const M = 0x9e3779b1 | 0;
    const hash = (kind: string): number => {
      const b = Buffer.from(kind);
      let h = 0x811c9dc5 | 0;
      for (let j = 0; j + 4 <= b.length; j += 4) h = Math.imul(h ^ b.readInt32LE(j), M);
      h = Math.imul(h ^ b.readInt32LE(b.length - 4), M);
      h = Math.imul(h ^ b.length, M);
      return h ^ (h >>> 16);
    };
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const kind = `key,${i.toString(36).padStart(8, '0')},-`;
      const h = hash(kind);
      const other = seen.get(h);
      if (other) pair = [other, kind];
      else seen.set(h, kind);
    }
    const [a, b] = pair;
    expect(a).not.toBe(b);
    const text = `${HEADER}\nU1,${a},0\nU2,${b},1\nU3,${a},0\nU4,${b},0\nU5,general,shihe,-,0\n`;
    const js = scanUnitsCsv(Buffer.from(text), HEADER);
    const wasm = scanUnitsCsvWasm(Buffer.from(text), HEADER);
    expect(js?.kinds).toHaveLength(3);
    expect(plain(wasm)).toEqual(plain(js));
  });

  it('leaves the ids it scanned in place for the tickets, and tickets from a table scanned after another still equal node:crypto', () => {
    const first = serializeManifest(syntheticManifest({ units: 2_000 }))['units.csv'];
    const second = serializeManifest(syntheticManifest({ units: 5_000, seed: 7 }))['units.csv'];
    const a = scanUnitsCsvWasm(Buffer.from(first), HEADER)!;
    const b = scanUnitsCsvWasm(Buffer.from(second), HEADER)!;
    const prefix = new TicketHasher(seed).prefix('select|pool|');
    for (const table of [b, a, b]) {
      const indices = Int32Array.from({ length: table.count }, (_, j) => j);
      const out = new Int32Array(8 * table.count);
      prefix.writeUnits(table, indices, table.count, out);
      for (const j of [0, 1, table.count - 1]) {
        const id = Buffer.from(table.bytes.subarray(table.idStart[j]!, table.idStart[j]! + table.idLength[j]!)).toString('latin1');
        expect(ticketHex(out, 8 * j)).toBe(reference(`select|pool|${id}`));
      }
    }
  });
});

function catchError(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  return undefined;
}
