// Sending notices by SMTP, each exactly once as far as this side can know (stores/outbox.ts).
//
// What is guaranteed: a notice recorded as sent is never sent again, by this process or another
// on any host sharing the store (SQLite ssj.db or PostgreSQL); at most one attempt holds a notice
// at a time (a claim with a lease); a notice the server refused or never received is sent by the
// next attempt; while the server is down sendNotice throws MailUnavailable (retryable), so Temporal's
// retries delay the notice and lose none. A recipient the server refuses for good (5xx) is named
// with its reply: in `refused` when the others got the notice, in MailRejectedError when nobody
// did; so is one it keeps deferring (4xx) for longer than `deferralLimitMs`, so that a full
// mailbox holds up no notice behind it for ever. Deciding what a refusal means for the quarter is the caller's (campaign activities: record,
// alert, go on).
// What is not: SMTP is not transactional. If the process dies after the server accepted the
// message and before the outbox recorded it, the next attempt sends it again. So does one after
// the connection was lost (or timed out) once the whole message was handed over, before the
// server's reply to its end: the server may have kept it (RFC 1047). Every attempt for one key
// carries the same Message-ID (derived from the key), so such a duplicate is detectable (mail
// clients and archives can collapse it), and the outbox counts it (`uncertainResends`). A
// connection lost before the end of the message is a clean failure: a server keeps no part.
import { ApplicationFailure } from '@temporalio/common';
import { createHash, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import * as nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { z } from 'zod';
import type { RuntimeSettings } from '../config/runtime';
import { openStoreDatabase } from '../stores/open';
import { MailOutbox, type OutboxRow, type RefusedAddress } from '../stores/outbox';
import type { SqlDatabase } from '../stores/sql';

// --- input --------------------------------------------------------------------------------------

const EMAIL_RE = /^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$|^[^@\s<>,;]+@localhost$/;

/** Whether the mailer accepts `s` as a recipient (callers sort out bad registry entries first). */
export function isEmailAddress(s: string): boolean {
  return EMAIL_RE.test(s.trim());
}

const email = z.string().trim().regex(EMAIL_RE, { error: 'must be an e-mail address' });

export const attachmentSchema = z.object({
  filename: z.string().trim().min(1, { error: 'must not be empty' }),
  // Any Uint8Array (a Buffer of a rendered PDF too), whatever its backing buffer.
  content: z.union([z.string(), z.custom<Uint8Array<ArrayBufferLike>>((v) => v instanceof Uint8Array)], { error: 'must be text or bytes' }),
  /** How a string content is to be read; bytes ignore it. */
  encoding: z.enum(['utf8', 'base64']).optional(),
  contentType: z.string().trim().regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'must be a MIME type such as application/pdf' }),
});
export type NoticeAttachment = z.input<typeof attachmentSchema>;

export const noticeSchema = z.object({
  /** Idempotency key: the workflow id and the step, e.g. `inspection-2023Q1-0042/reminder-7d`. */
  key: z.string().trim().min(1, { error: 'must not be empty' }).max(400, { error: 'must be at most 400 characters' }),
  to: z.array(email).min(1, { error: 'must name at least one recipient' }),
  cc: z.array(email).optional(),
  subject: z.string().trim().min(1, { error: 'must not be empty' }),
  text: z.string().min(1, { error: 'must not be empty' }),
  html: z.string().optional(),
  attachments: z.array(attachmentSchema).optional(),
});
export type Notice = z.input<typeof noticeSchema>;

export interface SendNoticeResult {
  key: string;
  messageId: string;
  /** sent: this call sent it; already-sent: an earlier attempt did, nothing was sent now. */
  outcome: 'sent' | 'already-sent';
  accepted: string[];
  rejected: string[];
  /** Each rejected recipient with the server's reply (the notice went to the others). */
  refused: RefusedAddress[];
  sentAt: string;
  attempts: number;
}

// --- errors (Temporal failure types the workflows can rely on) -------------------------------------

/** The SMTP server could not be reached or answered "try later". Retry. */
export class MailUnavailableError extends ApplicationFailure {
  constructor(message: string, cause?: Error) {
    super(message, 'MailUnavailable', false, undefined, cause);
  }
}

/** Another attempt holds this notice's lease (an earlier try still running). Retry later. */
export class MailBusyError extends ApplicationFailure {
  constructor(message: string) {
    super(message, 'MailBusy', false);
  }
}

/**
 * The notice itself is wrong (bad input) or the server refused it for good (5xx). Do not retry.
 * `refused` names each recipient the server refused and its reply (empty for bad input).
 */
export class MailRejectedError extends ApplicationFailure {
  constructor(
    message: string,
    cause?: Error,
    readonly refused: RefusedAddress[] = [],
  ) {
    super(message, 'MailRejected', true, [refused], cause);
  }
}

// --- the mailer -------------------------------------------------------------------------------

export interface MailerOptions {
  /** How long one attempt may hold a notice before another may assume it died. Default 3 min. */
  leaseMs?: number;
  /**
   * How long recipients the server keeps deferring (4xx to RCPT TO, nobody taking the notice) are
   * retried before they count as refused. Default 4 h, when mail servers commonly warn of a delay.
   */
  deferralLimitMs?: number;
  /** For tests of crash recovery; Date.now by default. */
  now?: () => number;
  log?: (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;
}

export interface Mailer {
  sendNotice(notice: Notice): Promise<SendNoticeResult>;
  /** Closes the SMTP transport (and the store only when the mailer opened it). */
  close(): Promise<void>;
}

export type MailSettings = Pick<RuntimeSettings, 'smtp' | 'mailFrom'>;

/** The Message-ID every attempt of one notice carries. */
export function noticeMessageId(key: string, fromAddress: string): string {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1) || 'localhost';
  return `<ssj.${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40)}@${domain}>`;
}

/**
 * A mailer whose outbox lives in `store`, the shared database (openStoreDatabase), which the caller
 * keeps open and closes. Given a data folder instead (one host: tests, a worker helper), it opens
 * that folder's SQLite ssj.db itself and closes it with the mailer.
 */
export function createMailer(settings: MailSettings, store: SqlDatabase | string, opts: MailerOptions = {}): Mailer {
  const database = typeof store === 'string' ? openStoreDatabase({ dataDir: store, databaseUrl: null }) : Promise.resolve(store);
  const outbox = database.then((db) => new MailOutbox(db));
  outbox.catch(() => undefined); // a store that fails to open is reported by each sendNotice
  const leaseMs = opts.leaseMs ?? 3 * 60_000;
  const deferralLimitMs = opts.deferralLimitMs ?? 4 * 3_600_000;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);
  const transport = nodemailer.createTransport({
    host: settings.smtp.host,
    port: settings.smtp.port,
    secure: settings.smtp.secure,
    auth: settings.smtp.user ? { user: settings.smtp.user, pass: settings.smtp.pass ?? '' } : undefined,
    // Bounded so an attempt always ends well inside its lease.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Attachments come as content, never as paths or URLs to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  // Notes when the transport has read a message to its end: the SMTP end of data (".") follows at
  // once, so from then on a lost connection may have left the message with the server.
  transport.use('stream', (mail, done) => {
    const handover = (mail.data as { [HANDOVER]?: Handover })[HANDOVER];
    if (handover) {
      mail.message.processFunc((input: Readable) => {
        const output = new PassThrough();
        output.once('end', () => (handover.complete = true));
        input.once('error', (err) => output.destroy(err));
        return input.pipe(output);
      });
    }
    done();
  });

  return {
    async close() {
      transport.close();
      if (typeof store === 'string') await (await database.catch(() => null))?.close();
    },

    async sendNotice(input) {
      const parsed = noticeSchema.safeParse(input);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => `${['notice', ...i.path].join('.')}: ${i.message}`).join('; ');
        throw new MailRejectedError(`notice is not valid: ${where}`);
      }
      const n = parsed.data;
      const messageId = noticeMessageId(n.key, settings.mailFrom.address);
      const attachments = (n.attachments ?? []).map((a) => ({
        filename: a.filename,
        content: typeof a.content === 'string' ? Buffer.from(a.content, a.encoding ?? 'utf8') : Buffer.from(a.content),
        contentType: a.contentType,
      }));
      const recipients = [...n.to, ...(n.cc ?? [])];
      // One holder per attempt: the lease says which attempt, on which host, may send.
      const holder = `${os.hostname()}/${process.pid}/${randomUUID()}`;
      const box = await outbox;
      const claim = await box.claim(
        { key: n.key, messageId, contentDigest: digestOf(n.subject, n.text, n.html, attachments), recipients, subject: n.subject },
        holder,
        new Date(now()),
        leaseMs,
      );
      if (claim.kind === 'already-sent') {
        log('info', 'notice already sent; not sending again', { key: n.key, messageId, sentAt: claim.row.sentAt });
        return resultOf(claim.row, 'already-sent');
      }
      if (claim.kind === 'busy') {
        throw new MailBusyError(`notice ${n.key} is being sent by another attempt (${claim.row.leaseHolder ?? '?'}, lease until ${claim.row.leaseExpiresAt ?? '?'})`);
      }
      if (claim.uncertain) {
        log('warn', 'an earlier attempt died before recording whether the server accepted this notice; sending again with the same Message-ID', {
          key: n.key,
          messageId,
          attempts: claim.row.attempts,
        });
      }

      let info: SMTPTransport.SentMessageInfo;
      const handover: Handover = { complete: false };
      try {
        const message: nodemailer.SendMailOptions & { [HANDOVER]: Handover } = {
          from: { name: settings.mailFrom.name, address: settings.mailFrom.address },
          to: n.to,
          cc: n.cc,
          subject: n.subject,
          text: n.text,
          html: n.html,
          attachments,
          messageId,
          headers: { 'X-SSJ-Notice-Key': n.key },
          [HANDOVER]: handover, // read by the 'stream' plugin above (nodemailer passes unknown fields on)
        };
        info = await transport.sendMail(message);
      } catch (err) {
        const e = err as SmtpError & { code?: string; permanent?: boolean; command?: string; responseCode?: number; rejectedErrors?: SmtpError[] };
        const where = `${settings.smtp.host}:${settings.smtp.port}`;
        if (handover.complete && e.responseCode === undefined) {
          // The whole message went out and no reply came: the server may have it.
          await box.markUncertain(n.key, holder, new Date(now()), `${e.code ?? e.name} after the end of the message: ${e.message}`);
          log('warn', 'the connection was lost after the whole notice was sent, before the server replied; it may have been delivered and is sent again', {
            key: n.key,
            messageId,
            server: where,
            code: e.code,
            error: e.message,
          });
          throw new MailUnavailableError(`SMTP server ${where} gave no reply to notice ${n.key} once it was sent (${e.code ?? ''} ${e.message}); it may have been delivered`.replace(/\s+/g, ' '), e);
        }
        await box.markFailed(n.key, holder, new Date(now()), `${e.code ?? e.name}: ${e.message}`);
        if (e.permanent === true && e.command !== undefined && /^(MAIL FROM|RCPT TO|DATA)$/.test(e.command)) {
          // All recipients refused (RCPT TO), or the message or sender refused for everyone.
          const refused = refusalsOf(recipients, e.command === 'RCPT TO' ? e.rejectedErrors : undefined, e.response ?? e.message);
          throw new MailRejectedError(`SMTP server ${where} refused notice ${n.key} (${e.command}): ${e.message}`, e, refused);
        }
        // Every recipient deferred (a full mailbox, greylisting): retried like an outage, but only
        // for so long since the notice's first attempt; then each counts as refused.
        const deferredFor = now() - Date.parse(claim.row.createdAt);
        if (e.command === 'RCPT TO' && e.permanent !== true && (e.rejectedErrors?.length ?? 0) > 0 && deferredFor >= deferralLimitMs) {
          const refused = refusalsOf(recipients, e.rejectedErrors, e.response ?? e.message).map((r) => ({
            address: r.address,
            reason: `deferred since ${claim.row.createdAt}, given up after ${Math.round(deferredFor / 60_000)} min: ${r.reason}`,
          }));
          throw new MailRejectedError(`SMTP server ${where} kept deferring notice ${n.key} (${e.command}) since ${claim.row.createdAt}: ${e.message}`, e, refused);
        }
        log('warn', 'SMTP server unavailable; the notice will be retried', { key: n.key, server: where, code: e.code, error: e.message });
        throw new MailUnavailableError(`SMTP server ${where} unavailable for notice ${n.key}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), e);
      }
      // Outside the try: should recording fail, the row stays `sending` under this lease, and the
      // next attempt after it resends as uncertain (never "failed", which would hide the copy).
      const rejected = (info.rejected ?? []).map(String);
      const { row, duplicate } = await box.markSent(n.key, new Date(now()), {
        response: String(info.response ?? ''),
        accepted: (info.accepted ?? []).map(String),
        rejected,
        refused: refusalsOf(rejected, (info as { rejectedErrors?: SmtpError[] }).rejectedErrors, 'refused by the server'),
      });
      if (duplicate) log('warn', 'this attempt outlived its lease and another recorded the notice as sent first: a second copy went out', { key: n.key, messageId });
      log('info', 'notice sent', { key: n.key, messageId, accepted: row.accepted, rejected: row.rejected, attempts: row.attempts });
      return resultOf(row, 'sent');
    },
  };
}

/** Set on a message handed to the transport: whether the transport read it to its end. */
const HANDOVER = 'ssjHandover';
interface Handover {
  complete: boolean;
}

interface SmtpError extends Error {
  recipient?: string;
  response?: string;
}

/** Each address with the server's reply to it (per-recipient errors), else `fallback`. */
function refusalsOf(addresses: string[], errors: SmtpError[] | undefined, fallback: string): RefusedAddress[] {
  const reply = new Map((errors ?? []).filter((e) => e.recipient).map((e) => [e.recipient!.toLowerCase(), e.response ?? e.message]));
  return addresses.map((address) => ({ address, reason: reply.get(address.toLowerCase()) ?? fallback }));
}

function resultOf(row: OutboxRow, outcome: SendNoticeResult['outcome']): SendNoticeResult {
  return {
    key: row.key,
    messageId: row.messageId,
    outcome,
    accepted: row.accepted,
    rejected: row.rejected,
    refused: row.refused,
    sentAt: row.sentAt ?? '',
    attempts: row.attempts,
  };
}

function digestOf(subject: string, text: string, html: string | undefined, attachments: { filename: string; content: Buffer }[]): string {
  const h = createHash('sha256');
  for (const part of [subject, text, html ?? '']) h.update(part, 'utf8').update('\0');
  for (const a of attachments) h.update(a.filename, 'utf8').update('\0').update(a.content).update('\0');
  return h.digest('hex');
}
