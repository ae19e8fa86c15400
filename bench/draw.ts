// Benchmark of the draw (DRAW-SPEC section 9): synthetic city-shaped manifests of 10k, 100k and
// 1M units. For each size: parse time, draw time (median), peak memory, and the floor: hashing,
// in this process and run, exactly the tickets the draw computed, in the same batches, nothing else.
// Then the whole-process comparison of bench/draw-process.ts: `ssj draw` through npm against
// standard-library Python (--process-units 0 skips it).
//   npx tsx bench/draw.ts [--sizes 10000,100000,1000000] [--runs N] [--process-units 200000] [--process-runs 3]
import { DrawRecord, runDraw, Witness } from '../domain/draw/draw';
import { TicketHasher } from '../domain/draw/tickets';
import { idBytesOf } from '../domain/draw/unit-table';
import { parseDrawManifest, serializeManifest } from '../domain/draw/manifest';
import { syntheticManifest } from '../tests/fixtures/draw/synthetic';
import { median, processBench } from './draw-process';

const WITNESSES: Witness[] = [
  { role: 'admin', person_id: 'ADM001', entropy: '31415926535897932384' },
  { role: 'discipline', person_id: 'DIS007', entropy: '27182818284590452353' },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)}`;

interface Row {
  units: number;
  selected: number;
  tickets: number;
  parseMs: number;
  drawMs: number;
  floorMs: number;
  runs: number;
  peakRss: number;
  heapAfter: number;
}

function benchSize(units: number, runsWanted: number | undefined): Row {
  process.stderr.write(`${units} units: generating...\n`);
  let files: ReturnType<typeof serializeManifest> | null = serializeManifest(syntheticManifest({ units }));
  let t = process.hrtime.bigint();
  const manifest = parseDrawManifest(files); // as `ssj draw` reads it
  const parseMs = ms(t);
  files = null; // the draw works from the parsed manifest only
  const runs = runsWanted ?? (units >= 1_000_000 ? 3 : units >= 100_000 ? 5 : 9);

  // A first run measures memory before the benchmark's own ticket log exists.
  const reference = runDraw(manifest, WITNESSES);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const heapAfter = process.memoryUsage().heapUsed;

  // One instrumented run collects the labels the draw hashes (not timed).
  const labels: string[] = [];
  runDraw(manifest, WITNESSES, { ticketLog: labels });
  // Hashed as the draw hashes them (domain/draw/tickets.ts): the labels that share a fixed part
  // ("select|pool|", "assign|unit|") in one batch, as the draw's pools and load groups are.
  const hasher = new TicketHasher(reference.seed);
  const batches: { fixed: string; ids: string[] }[] = [];
  for (const label of labels) {
    const cut = label.lastIndexOf('|') + 1;
    const fixed = label.slice(0, cut);
    const last = batches[batches.length - 1];
    if (last?.fixed === fixed) last.ids.push(label.slice(cut));
    else batches.push({ fixed, ids: [label.slice(cut)] });
  }
  // From the ids' bytes, as the draw reads units.csv and the inspector ids (made before timing).
  const tables = batches.map((b) => ({ fixed: b.fixed, table: idBytesOf(b.ids), indices: Int32Array.from(b.ids.keys()) }));
  let out = new Int32Array(8);
  const floor = (): number => {
    let sink = 0;
    for (const b of tables) {
      if (out.length < 8 * b.indices.length) out = new Int32Array(8 * b.indices.length);
      hasher.prefix(b.fixed).writeUnits(b.table, b.indices, b.indices.length, out);
      sink ^= out[0] as number;
    }
    return sink;
  };
  floor(); // warm up like the draw was

  const drawTimes: number[] = [];
  const floorTimes: number[] = [];
  let record: DrawRecord | undefined;
  for (let r = 0; r < runs; r++) {
    process.stderr.write(`${units} units: run ${r + 1}/${runs}\n`);
    t = process.hrtime.bigint();
    record = runDraw(manifest, WITNESSES);
    drawTimes.push(ms(t));
    // The floor: the same tickets (seed + "|" + label), hashed as the draw does, nothing else.
    t = process.hrtime.bigint();
    const sink = floor();
    floorTimes.push(ms(t));
    if (sink === -1) process.stderr.write('');
  }
  if (JSON.stringify(record) !== JSON.stringify(reference)) throw new Error('the draw is not deterministic');
  return {
    units,
    selected: reference.assignments.length,
    tickets: labels.length,
    parseMs,
    drawMs: median(drawTimes),
    floorMs: median(floorTimes),
    runs,
    peakRss,
    heapAfter,
  };
}

function main(): void {
  const sizes = (arg('--sizes') ?? '10000,100000,1000000').split(',').map(Number);
  const runs = arg('--runs') ? Number(arg('--runs')) : undefined;
  const rows = sizes.map((n) => benchSize(n, runs));
  const header = ['units', 'drawn', 'tickets', 'parse ms', 'draw ms', 'floor ms', 'draw/floor', 'runs', 'peak RSS MiB', 'heap MiB'];
  const lines = rows.map((r) => [
    String(r.units),
    String(r.selected),
    String(r.tickets),
    r.parseMs.toFixed(0),
    r.drawMs.toFixed(0),
    r.floorMs.toFixed(0),
    (r.drawMs / r.floorMs).toFixed(2),
    String(r.runs),
    mib(r.peakRss),
    mib(r.heapAfter),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  console.log(`node ${process.version}; draw and floor: medians, interleaved runs; peak RSS: the process's so far, taken after the first draw (generation + parse + draw; sizes run in order)`);
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
  const processUnits = arg('--process-units') === undefined ? 200_000 : Number(arg('--process-units'));
  if (processUnits > 0) processBench(processUnits, Number(arg('--process-runs') ?? 3), Number(arg('--inspectors') ?? 40));
}

main();
