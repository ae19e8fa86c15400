// `ssj publication export`: writes a campaign's disclosure package from the shared store (the
// database: SSJ_DATABASE_URL, or ssj.db in SSJ_DATA_DIR) into a folder or web root, byte for byte.
// Needs no Temporal server. Exporting again into the same folder changes nothing.
import { Command } from 'commander';
import { exportPublication, PublicationInputError } from '../../files/publication';
import { BlobCorruptError, BlobMissingError, SqlBlobStore } from '../../stores/blob-store';
import { openStoreDatabase, storeSettingsFromEnv } from '../../stores/open';
import { WORKFLOW_ID_PATTERN } from '../../domain/workflow-id';
import { ExitCode, UserError } from '../errors';

export function register(program: Command): void {
  const publication = program.command('publication').description("the quarter's disclosure package in the shared store (公示包)");
  publication
    .command('export')
    .description('write the published package from the shared store into a folder (idempotent, byte for byte)')
    .requiredOption('--campaign <id>', 'the campaign id, e.g. campaign-xinyang-2026q1')
    .requiredOption('--to <dir>', 'the destination folder (created, or replaced as a whole)')
    .action(async (o: { campaign: string; to: string }) => {
      if (!WORKFLOW_ID_PATTERN.test(o.campaign)) throw new UserError(`--campaign ${JSON.stringify(o.campaign)}: not a campaign id (letters, digits, . _ : -)`);
      const db = await openStoreDatabase(storeSettingsFromEnv());
      try {
        const r = await exportPublication(new SqlBlobStore(db), o.campaign, o.to);
        process.stdout.write(`${r.unchanged ? 'unchanged' : 'exported'}: ${r.dir} (package ${r.digest})\n`);
      } catch (err) {
        if (err instanceof PublicationInputError || err instanceof BlobMissingError) throw new UserError(err.message, ExitCode.refused, 'ssj publish --campaign … shows whether the quarter was published');
        if (err instanceof BlobCorruptError) throw new UserError(err.message, ExitCode.failed);
        throw err;
      } finally {
        await db.close();
      }
    });
}
