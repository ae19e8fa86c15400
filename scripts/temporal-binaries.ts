// Absolute paths of the Temporal binaries, as scripts/setup.mjs found or installed them.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..');

export interface TemporalBinaries {
  /** The `temporal` CLI; runs `temporal server start-dev`. */
  cli: string;
  /** The Java time-skipping test server, started as `<exe> <port>`. */
  testServer: string;
}

export function temporalBinaries(): TemporalBinaries {
  const file = path.join(projectRoot, '.tools', 'temporal-paths.json');
  if (!fs.existsSync(file)) {
    throw new Error(
      'The Temporal binaries have not been set up: run `node scripts/setup.mjs` (npm test and npm run demo do it for you).',
    );
  }
  const found = JSON.parse(fs.readFileSync(file, 'utf8')) as TemporalBinaries;
  for (const p of [found.cli, found.testServer]) {
    if (!fs.existsSync(p)) throw new Error(`${p} (from .tools/temporal-paths.json) is gone: run \`node scripts/setup.mjs\` again.`);
  }
  return found;
}
