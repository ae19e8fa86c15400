// A loopback "mail catcher": an SMTP server that accepts every message and writes it as an .eml
// file into a folder, plus one line per message in index.jsonl (who, to whom, subject, file).
// The demo and setups without Docker send notices here instead of to a real mail server.
//
//   npx tsx mail/catcher.ts [--dir .data/mail] [--port 1025] [--host 127.0.0.1]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { readMessage } from './mime-read';

export interface CaughtMessage {
  seq: number;
  file: string;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  noticeKey: string | null;
  subject: string;
  attachments: string[];
}

export interface MailCatcher {
  host: string;
  port: number;
  dir: string;
  /** Messages caught so far, in arrival order (read from the index, so other processes' view too). */
  messages(): CaughtMessage[];
  close(): Promise<void>;
}

export interface MailCatcherOptions {
  dir: string;
  host?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Extra smtp-server hooks, e.g. for tests that make the server refuse. */
  smtp?: Partial<SMTPServerOptions>;
}

export async function startMailCatcher(opts: MailCatcherOptions): Promise<MailCatcher> {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const indexFile = path.join(dir, 'index.jsonl');
  const host = opts.host ?? '127.0.0.1';
  let seq = readIndex(indexFile).reduce((m, r) => Math.max(m, r.seq), 0);

  const server = new SMTPServer({
    authOptional: true,
    // A catcher on loopback: no STARTTLS (its self-signed certificate would only fail checks).
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'ssj mail catcher',
    size: 50 * 1024 * 1024,
    ...opts.smtp,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        try {
          const raw = Buffer.concat(chunks);
          const parsed = readMessage(raw);
          seq += 1;
          const file = `${String(seq).padStart(6, '0')}.eml`;
          fs.writeFileSync(path.join(dir, file), raw);
          const entry: CaughtMessage = {
            seq,
            file,
            receivedAt: new Date().toISOString(),
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            messageId: parsed.messageId,
            noticeKey: parsed.headers.get('x-ssj-notice-key')?.[0] ?? null,
            subject: parsed.subject,
            attachments: parsed.attachments.map((a) => a.filename ?? '(unnamed)'),
          };
          fs.appendFileSync(indexFile, `${JSON.stringify(entry)}\n`);
          callback(null, `queued as ${file}`);
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after start (a client hanging up) are the client's business, not a crash of ours.
  server.on('error', () => undefined);
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);

  return {
    host,
    port,
    dir,
    messages: () => readIndex(indexFile),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readIndex(file: string): CaughtMessage[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CaughtMessage);
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = arg('--dir') ?? path.join(process.env.SSJ_DATA_DIR ?? '.data', 'mail');
  const portText = arg('--port') ?? '1025';
  if (!/^\d+$/.test(portText)) throw new Error(`--port: must be a port number (got ${JSON.stringify(portText)})`);
  const catcher = await startMailCatcher({ dir, port: Number(portText), host: arg('--host') ?? '127.0.0.1' });
  process.stdout.write(`mail catcher listening on ${catcher.host}:${catcher.port}; messages in ${catcher.dir}\n`);
  const stop = () => void catcher.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`mail catcher: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
