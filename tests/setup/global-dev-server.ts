// vitest globalSetup: one real `temporal server start-dev` for the whole run (TEMPORAL-NOTES:
// createLocal's 5-second start is too tight on this machine). Tests read its address with
// `inject('temporalAddress')`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../scripts/dev-server';

let server: DevServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-dev-server-'));
  server = await startDevServer({ logFile: path.join(dir, 'server.log'), headless: true });
  project.provide('temporalAddress', server.address);
  return async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}
