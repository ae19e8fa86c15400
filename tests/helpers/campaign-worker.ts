// A worker process for the crash test: `node --import tsx tests/helpers/campaign-worker.ts CONFIG.json`.
// CONFIG: { address, taskQueue, dataDir, registryDb, programmeFile, mailDb, codecKeys? }: with
// codecKeys (key-file JSON, as testKeyring().env.SSJ_CODEC_KEYS) it encrypts payloads and names inspections opaquely. Prints a line
// "ssj-test-worker ready" once it polls, then runs until killed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/campaign/activities';
import { parseProgramme } from '../../domain/programme';
import { recordingMail } from './campaign-fixture';
import { bundleOptions, ssjDataConverter } from '../../codec/data-converter';
import { Keyring, parseKeyFile } from '../../codec/keyring';

async function main(): Promise<void> {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as {
    address: string;
    taskQueue: string;
    dataDir: string;
    registryDb: string;
    programmeFile: string;
    mailDb: string;
    codecKeys?: string;
  };
  const programme = parseProgramme(fs.readFileSync(cfg.programmeFile, 'utf8'), cfg.programmeFile);
  const mail = recordingMail(cfg.mailDb);
  const keyring = cfg.codecKeys ? new Keyring(parseKeyFile(cfg.codecKeys, 'codecKeys')) : undefined;
  const activities = createActivities({ dataDir: cfg.dataDir, registryDb: cfg.registryDb, programme, mail, keyring });
  const noop = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'workflows', 'index.ts'),
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop },
    ...bundleOptions,
  });
  const connection = await NativeConnection.connect({ address: cfg.address });
  const worker = await Worker.create({
    connection,
    taskQueue: cfg.taskQueue,
    workflowBundle,
    activities,
    stickyQueueScheduleToStartTimeout: '2s',
    ...(keyring ? { dataConverter: ssjDataConverter(keyring) } : {}),
  });
  const running = worker.run();
  console.log('ssj-test-worker ready');
  await running;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
