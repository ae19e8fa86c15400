// Prebuilds the workflow bundle a production worker loads (SSJ_WORKFLOW_BUNDLE), so workers start
// in seconds and every worker runs byte-identical workflow code.
//
//   npx tsx worker/build-bundle.ts [--out dist/workflow-bundle.js] [--workflows workflows/index.ts]
// (npm run build runs the compiled one on the TypeScript sources: scripts/build.cjs.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './run';
import { bundleOptions } from '../codec/data-converter';

export async function buildBundle(opts: { out: string; workflowsPath?: string }): Promise<{ out: string; bytes: number }> {
  // Compiled (dist/worker/build-bundle.js), the default is the compiled workflows/index.js.
  const fallback = [WORKFLOWS_PATH, WORKFLOWS_PATH.replace(/\.ts$/, '.js')].find((f) => fs.existsSync(f)) ?? WORKFLOWS_PATH;
  const workflowsPath = path.resolve(opts.workflowsPath ?? fallback);
  if (!fs.existsSync(workflowsPath)) throw new Error(`--workflows: ${workflowsPath} does not exist`);
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    // Workflow failures' messages and stacks are encoded (then encrypted) inside the sandbox.
    ...bundleOptions,
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => process.stderr.write(`${m}\n`), log: quiet },
  });
  const out = path.resolve(opts.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Write then rename: a worker starting meanwhile never reads half a bundle.
  fs.writeFileSync(`${out}.tmp`, code);
  fs.renameSync(`${out}.tmp`, out);
  return { out, bytes: Buffer.byteLength(code) };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  buildBundle({ out: arg('--out') ?? path.join('dist', 'workflow-bundle.js'), workflowsPath: arg('--workflows') })
    .then(({ out, bytes }) => process.stdout.write(`workflow bundle written: ${out} (${bytes} bytes)\n`))
    .catch((err: unknown) => {
      process.stderr.write(`build-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
