// One of the processes of tests/store-campaign.test.ts that take document numbers in parallel. It
// opens the store named by SSJ_DATABASE_URL / SSJ_DATA_DIR, prints "ready", waits for "go" on
// stdin, then reserves numbers for keys of its own and for keys the other process asks for too,
// issuing each document except every `abandonEvery`-th of its own (a worker that died between
// taking the number and writing the document). Prints what it got as JSON.
import { openCampaignStore } from '../../stores/campaign-store';
import { storeSettingsFromEnv } from '../../stores/open';
import { formatDocumentNumber } from '../../domain/documents';

export interface NumbersConfig {
  name: string;
  own: number;
  shared: number;
  abandonEvery: number;
  year: number;
}

export interface NumbersReport {
  name: string;
  /** key → number as this process got it. */
  numbers: Record<string, string>;
  abandoned: string[];
}

export const RACE_KIND = 'supervision-notice' as const;

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]!) as NumbersConfig;
  const { store, close } = await openCampaignStore(storeSettingsFromEnv());
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const report: NumbersReport = { name: cfg.name, numbers: {}, abandoned: [] };
  const address = { kind: RACE_KIND, year: cfg.year, campaignId: 'c-race', unitId: null, recipient: 'county-xixian' };
  const format = (seq: number) => formatDocumentNumber(RACE_KIND, cfg.year, seq);
  const at = new Date().toISOString();
  const take = async (key: string, abandon: boolean) => {
    const n = await store.reserveDocumentNumber(key, { ...address, unitId: key }, format, at);
    report.numbers[key] = n.number;
    if (abandon) report.abandoned.push(key);
    else await store.issueDocument(key, { title: '监察通知', html: `<p>${n.number}</p>`, text: n.number }, at);
  };
  // Two interleaved streams per process, so each process also races itself on a pooled database.
  const own = async (parity: number) => {
    for (let i = parity; i < cfg.own; i += 2) await take(`${cfg.name}-${i}`, i % cfg.abandonEvery === cfg.abandonEvery - 1);
  };
  const shared = async () => {
    for (let i = 0; i < cfg.shared; i++) await take(`shared-${i}`, false);
  };
  await Promise.all([own(0), own(1), shared()]);
  await close();
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
