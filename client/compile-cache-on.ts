// Turns the compile cache (./compile-cache) on for the command line where it runs compiled, from
// dist/ (`npm run ssj`, the `ssj` bin, the production image): ./ssj imports this first, so it
// covers the modules loaded after it (commander and the command's own). Not where the TypeScript
// sources run (tests, tsx), whose loaders compile the modules themselves. SSJ_COMPILE_CACHE=0
// turns it off (e.g. to measure without it); SSJ_COMPILE_CACHE=<folder> keeps it there instead
// of dist/.compile-cache (as NODE_COMPILE_CACHE does on Node 22).
import * as path from 'node:path';
import { enableCompileCache } from './compile-cache';

const DIST = path.dirname(__dirname);
const setting = process.env.SSJ_COMPILE_CACHE ?? '';
if (path.basename(DIST) === 'dist' && __filename.endsWith('.js') && setting !== '0') {
  // One cache a command: each keeps the functions its own runs compiled.
  const command = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? 'help';
  const commander = path.join(DIST, '..', 'node_modules', 'commander') + path.sep;
  const folder = setting ? path.resolve(setting) : path.join(DIST, '.compile-cache');
  enableCompileCache(path.join(folder, /^[a-z][a-z0-9-]{0,39}$/.test(command) ? command : 'other'), (file) => file.startsWith(DIST + path.sep) || file.startsWith(commander));
}
