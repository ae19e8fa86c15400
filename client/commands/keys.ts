// `ssj keys init|rotate|token`: the payload encryption keyring (codec/keyring.ts) and the codec
// endpoint's staff tokens. Files are written readable by their owner only (mode 0600).
import type { Command } from 'commander';
import { createKeyFile, KeyringError, rotateKeyFile } from '../../codec/keyring';
import { addToken } from '../../codec/server';
import { idSchema } from '../../domain/registry';
import { ExitCode, UserError } from '../errors';

function asUserError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KeyringError) throw new UserError(err.message, ExitCode.badInput);
    throw err;
  }
}

export function register(program: Command): void {
  const keys = program.command('keys').description('payload encryption keys and codec endpoint tokens (see docs/operations.md)');

  keys
    .command('init')
    .description('create a key file: one AES-256 key and the secret that names inspections; refuses to overwrite')
    .requiredOption('--file <file>', 'the key file to create (mode 0600); then set SSJ_CODEC_KEYS_FILE to it')
    .action((o: { file: string }) => {
      const f = asUserError(() => createKeyFile(o.file));
      process.stdout.write(`created ${o.file} (mode 0600) with key ${f.current}; set SSJ_CODEC_KEYS_FILE=${o.file} for the worker, ssj and the codec server, and back it up (docs/operations.md)\n`);
    });

  keys
    .command('rotate')
    .description('add a new key and make it current: new payloads use it, older keys still decrypt')
    .requiredOption('--file <file>', 'the key file (SSJ_CODEC_KEYS_FILE)')
    .action((o: { file: string }) => {
      const f = asUserError(() => rotateKeyFile(o.file));
      process.stdout.write(`${o.file}: key ${f.current} is current; it holds ${Object.keys(f.keys).join(', ')}. Restart the workers and the codec server so they load it.\n`);
    });

  keys
    .command('token')
    .description('make a codec endpoint token for a staff member; it is shown once, only its SHA-256 is kept')
    .requiredOption('--tokens-file <file>', 'the tokens file (SSJ_CODEC_TOKENS_FILE); created if absent')
    .requiredOption('--person <id>', 'who will hold the token (person id); named in the codec server log')
    .option('--namespace <ns...>', 'namespaces the token may decode (default: all)')
    .action((o: { tokensFile: string; person: string; namespace?: string[] }) => {
      const p = idSchema.safeParse(o.person);
      if (!p.success) throw new UserError(`--person ${JSON.stringify(o.person)}: ${p.error.issues[0]?.message ?? 'not a person id'}`);
      const token = asUserError(() => addToken(o.tokensFile, o.person, o.namespace));
      process.stdout.write(`${token}\n`);
      process.stderr.write(`ssj: token for ${o.person} added to ${o.tokensFile}; give it to them privately (it is not stored), e.g. temporal workflow show --codec-auth "Bearer <token>"\n`);
    });
}
