// A real SMTP server on loopback for the crash tests (smtp-server, as mail/catcher.ts):
// it records every message it accepts by Message-ID and notice key, and asks the test, once a
// message's data is in and before answering, whether to accept it. The test can hold the answer
// while it kills a process, then refuse: the sender never gets its 250.
import { SMTPServer } from 'smtp-server';
import { readMessage } from '../../mail/mime-read';

export interface ArrivedMessage {
  /** Connections are numbered in the order they were opened: tells a dead worker's from a new one's. */
  connection: number;
  messageId: string | null;
  noticeKey: string | null;
  to: string[];
  subject: string;
}

export type Verdict = 'accept' | { refuse: string };

export interface SmtpRecorder {
  host: string;
  port: number;
  /** Messages answered 250, in order. */
  accepted: ArrivedMessage[];
  /** Messages refused, with the reply. */
  refused: (ArrivedMessage & { reply: string })[];
  /** Connections opened so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startSmtpRecorder(decide: (m: ArrivedMessage) => Verdict | Promise<Verdict> = () => 'accept'): Promise<SmtpRecorder> {
  const accepted: ArrivedMessage[] = [];
  const refused: (ArrivedMessage & { reply: string })[] = [];
  const connectionOf = new Map<string, number>();
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(session, callback) {
      connectionOf.set(session.id, ++connections);
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const parsed = readMessage(Buffer.concat(chunks));
        const m: ArrivedMessage = {
          connection: connectionOf.get(session.id) ?? 0,
          messageId: parsed.messageId,
          noticeKey: parsed.headers.get('x-ssj-notice-key')?.[0] ?? null,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject,
        };
        void Promise.resolve(decide(m)).then(
          (v) => {
            if (v === 'accept') {
              accepted.push(m);
              callback(null, 'queued');
            } else {
              refused.push({ ...m, reply: v.refuse });
              callback(Object.assign(new Error(v.refuse), { responseCode: 451 }));
            }
          },
          (err: unknown) => callback(err as Error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A killed client leaves sockets half-open: not a failure of the recorder.
  server.on('error', () => undefined);
  const address = server.server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    accepted,
    refused,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
