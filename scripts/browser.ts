// Real Chromium for tests and the demo, driven by playwright-core (which downloads no browser): the machine's
// Chromium, found by `npm run setup` (scripts/setup.mjs writes .tools/chromium-path.json) or named
// by $CHROMIUM_PATH. Headless; --no-sandbox because test machines often run as root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const PATH_FILE = path.resolve(__dirname, '..', '.tools', 'chromium-path.json');

export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (fs.existsSync(PATH_FILE)) return (JSON.parse(fs.readFileSync(PATH_FILE, 'utf8')) as { path: string }).path;
  throw new Error(`no Chromium: ${PATH_FILE} is missing. Run \`npm run setup\` (it finds or installs Chromium), or set CHROMIUM_PATH`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}
