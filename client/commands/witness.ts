// `ssj witness commit|reveal` (ssj-draw/2) and `ssj witness entropy` (ssj-draw/1, for quarters
// started before it): the draw's two witnesses, each on a machine of their own.
// 见证人：先提交承诺值，全部提交后再揭示（盐值和随机数只保存在见证人本机）。
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import { entropySchema, witnessEntropySchema, witnessRoles, type WitnessRole } from '../../domain/messages';
import { campaignStatus, commitWitness, giveEntropy, revealWitness } from '../temporal';
import type { Client } from '@temporalio/client';
import type { Person } from '../../domain/registry';
import type { CampaignStatus } from '../../workflows/definitions';
import { ExitCode, UserError } from '../errors';
import { checkActor, parseWith, resolveCampaignId, settings, withSession, type CampaignFlags } from '../session';
import { defaultSecretPath, makeWitnessSecret, readSecretFile, WitnessSecretError, writeSecretFile } from '../witness-secret';
import { campaignOptions } from './quarter';

type WitnessFlags = CampaignFlags & { as: string; role: WitnessRole };

function witnessCommand(parent: Command, name: string, description: string): Command {
  return campaignOptions(
    parent
      .command(name)
      .description(description)
      .requiredOption('--as <person>', 'the witness (person id)')
      .addOption(new Option('--role <role>', 'admin (系统管理员) or discipline (纪检人员)').choices([...witnessRoles]).makeOptionMandatory()),
  );
}

export function registerWitness(program: Command): void {
  const witness = program
    .command('witness')
    .description('the draw\'s witnesses (见证人): commit, then reveal (ssj-draw/2); `entropy` for quarters started before ssj-draw/2');

  witnessCommand(witness, 'commit', 'step 1: make a salt here, compute the commitment, keep salt and entropy in a file only you can read, send only the commitment (提交承诺值)')
    .option('--entropy-file <file>', 'read the entropy (16-128 letters or digits) from this file, or "-" for one line of stdin; when absent, asked for without echo in a terminal')
    .option('--secret-file <file>', 'where to keep the salt and entropy for the reveal (default ~/.ssj/witness/<campaign>.c<ceremony>.<role>.<person>.json, mode 600)')
    .option('--show-secret', 'also print the salt and entropy (only if you want to keep them on paper)')
    .addHelpText(
      'after',
      '\nThe manifest digest is shown first: check it against the one announced. Nothing secret is sent\n' +
        'or printed; reveal with `ssj witness reveal` once both witnesses have committed, before the deadline.\n',
    )
    .action(async (o: WitnessFlags & { entropyFile?: string; secretFile?: string; showSecret?: boolean }) => {
      await withCeremony(o, async ({ client, actor, id, st, ceremony }) => {
        process.stdout.write(`${id}, ceremony ${ceremony}\nmanifest digest: ${st.manifest!.digest}\n(check it against the digest announced for this quarter before you go on)\n`);
        const entropy = parseWith(entropySchema, await readEntropy(o.entropyFile, '--entropy-file'), 'witness commit', { '': '--entropy-file' });
        const secret = makeWitnessSecret({ campaignId: id, ceremony, manifestDigest: st.manifest!.digest, role: o.role, personId: actor.id, entropy });
        const file = o.secretFile ?? defaultSecretPath(secret);
        // The secret is on disk before the commitment leaves: a committed witness can always reveal.
        secretIo(() => writeSecretFile(file, secret));
        let ack;
        try {
          ack = await commitWitness(client, id, { role: o.role, personId: actor.id, commitment: secret.commitment });
        } catch (err) {
          fs.rmSync(file, { force: true }); // nothing was recorded, so the secret is of no use
          throw err;
        }
        process.stdout.write(
          `commitment of ${actor.id} ${actor.name} as the ${ack.role} witness recorded in ceremony ${ack.ceremony}:\n  ${ack.commitment}\n` +
            `salt and entropy kept in ${file} (mode 600; needed for the reveal, not sent)\n` +
            (o.showSecret ? `salt ${secret.salt}\nentropy ${secret.entropy}\n` : '') +
            (ack.waitingFor.length
              ? `still awaited: the commitment of ${ack.waitingFor.join(', ')}; reveal once every witness has committed\n`
              : `every witness has committed: reveal by ${ack.revealBy} with: ssj witness reveal --campaign ${id} --role ${ack.role} --as ${actor.id}\n`),
        );
      });
    });

  witnessCommand(witness, 'reveal', 'step 2, once every witness has committed: send the salt and entropy kept by `ssj witness commit` (揭示)')
    .option('--secret-file <file>', 'the file `ssj witness commit` wrote (default: its default path for the current ceremony)')
    .action(async (o: WitnessFlags & { secretFile?: string }) => {
      await withCeremony(o, async ({ client, actor, id, st, ceremony }) => {
        const file = o.secretFile ?? defaultSecretPath({ campaignId: id, ceremony, role: o.role, personId: actor.id });
        const secret = secretIo(() => readSecretFile(file));
        const mismatch = (
          [
            ['campaign', secret.campaignId, id],
            ['role', secret.role, o.role],
            ['person', secret.personId, actor.id],
            ['manifest digest', secret.manifestDigest, st.manifest!.digest],
          ] as const
        ).find(([, had, want]) => had !== want);
        if (mismatch) throw new UserError(`${file} is the secret of another ${mismatch[0]} (${mismatch[1]}, not ${mismatch[2]})`, ExitCode.badInput, 'give the right file with --secret-file');
        if (secret.ceremony !== ceremony) {
          throw new UserError(
            `${file} holds your secret for ceremony ${secret.ceremony}, but ceremony ${ceremony} is under way (ceremony ${secret.ceremony} was voided)`,
            ExitCode.refused,
            `commit afresh: ssj witness commit --campaign ${id} --role ${o.role} --as ${actor.id}`,
          );
        }
        const ack = await revealWitness(client, id, { role: o.role, personId: actor.id, salt: secret.salt, entropy: secret.entropy });
        process.stdout.write(
          `reveal of ${actor.id} ${actor.name} as the ${ack.role} witness accepted in ceremony ${ack.ceremony}: it reproduces the commitment ${secret.commitment}\n` +
            (ack.waitingFor.length ? `still awaited: the reveal of ${ack.waitingFor.join(', ')} (by ${ack.revealBy})\n` : 'every witness has revealed: the draw runs now\n'),
        );
      });
    });

  witnessCommand(witness, 'entropy', 'ssj-draw/1 only (quarters started before ssj-draw/2): give entropy in clear (提供随机数)')
    .option('--entropy <text>', '16-128 letters or digits, e.g. dice rolls; "-" reads one line from stdin; when absent, asked for without echo in a terminal')
    .addHelpText('after', '\nThe entropy is never printed. Prefer the prompt (or --entropy - with a pipe) so it stays out of the shell history.\n')
    .action(async (o: WitnessFlags & { entropy?: string }) => {
      const s = settings();
      const entropy = await readEntropy(o.entropy === '-' ? '-' : undefined, '--entropy', o.entropy);
      const msg = parseWith(witnessEntropySchema, { role: o.role, personId: o.as, entropy }, 'witness entropy', { entropy: '--entropy', personId: '--as', role: '--role' });
      const actor = await checkActor(s, o.as, [o.role], `give entropy as the ${o.role} witness`);
      await withSession(async ({ client }) => {
        const id = await resolveCampaignId(client, o);
        const ack = await giveEntropy(client, id, msg);
        process.stdout.write(
          `entropy received from ${actor.id} ${actor.name} as the ${ack.role} witness of ${id} (${entropy.length} characters; not shown)\n` +
            `manifest digest: ${ack.manifestDigest}\n` +
            (ack.waitingFor.length ? `still awaited: ${ack.waitingFor.join(', ')}\n` : 'both witnesses have given entropy: the draw runs now\n'),
        );
      });
    });
}

/** What both steps start from: the witness checked against the registry, the campaign, its status and open ceremony. */
async function withCeremony(
  o: WitnessFlags,
  fn: (c: { client: Client; actor: Person; id: string; st: CampaignStatus; ceremony: number }) => Promise<void>,
): Promise<void> {
  const actor = await checkActor(settings(), o.as, [o.role], `witness the draw as the ${o.role} witness`);
  await withSession(async ({ client }) => {
    const id = await resolveCampaignId(client, o);
    const st = await campaignStatus(client, id);
    await fn({ client, actor, id, st, ceremony: openCeremony(st, id) });
  });
}

/** The current ceremony's number, or a refusal (exit 3) saying why there is none to take part in. */
function openCeremony(st: CampaignStatus, id: string): number {
  if (st.drawSpec !== 'ssj-draw/2') {
    throw new UserError(`${id} started before ssj-draw/2: its witnesses give entropy`, ExitCode.refused, `use: ssj witness entropy --campaign ${id} --role ROLE --as PERSON`);
  }
  if (st.phase !== 'draw' || !st.manifest || !st.ceremony) {
    throw new UserError(`${id} is in phase ${st.phase}; the witness ceremony is held in phase draw, once the freeze has fixed the manifest`, ExitCode.refused, `see: ssj quarter status --campaign ${id}`);
  }
  return st.ceremony.number;
}

function secretIo<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WitnessSecretError) throw new UserError(err.message, ExitCode.badInput);
    throw err;
  }
}

/**
 * The entropy from a file (`-`: a line of stdin), an inline value (ssj-draw/1's --entropy only),
 * or a prompt without echo. Never printed.
 */
async function readEntropy(file: string | undefined, flag: string, inline?: string): Promise<string> {
  if (inline !== undefined && inline !== '-') return inline;
  if (file === '-') return (await readLine(process.stdin)).trim();
  if (file !== undefined) {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new UserError(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, ExitCode.badInput);
    }
  }
  if (!process.stdin.isTTY) {
    throw new UserError(`${flag} is required when not in a terminal`, ExitCode.badInput, `give ${flag} FILE, or ${flag} - and pipe it on stdin`);
  }
  process.stderr.write('entropy (16-128 letters or digits; not shown): ');
  const text = await readHidden();
  process.stderr.write('\n');
  return text.trim();
}

function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (c: Buffer | string) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        done();
        resolve(buf.slice(0, nl));
      }
    };
    const onEnd = () => {
      done();
      resolve(buf);
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.pause();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

function readHidden(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.off('data', onData);
      stdin.pause();
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new UserError('cancelled; nothing was sent', ExitCode.badInput));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
