// A small reader of the MIME messages the mailer writes (and the catcher stores): headers with
// RFC 2047 encoded words, RFC 2231 parameters, nested multiparts, base64 and quoted-printable
// bodies, UTF-8 text. Enough to index caught mail and to check notices in tests; not a general
// parser for arbitrary mail from the wild.

export interface ReadAttachment {
  filename: string | null;
  contentType: string;
  content: Buffer;
}

export interface ReadMessage {
  headers: Map<string, string[]>;
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  messageId: string | null;
  text: string | null;
  html: string | null;
  attachments: ReadAttachment[];
}

export function readMessage(raw: Buffer | string): ReadMessage {
  const part = readPart(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
  const h = part.headers;
  const first = (name: string) => h.get(name)?.[0] ?? '';
  const out: ReadMessage = {
    headers: h,
    subject: decodeWords(first('subject')),
    from: decodeWords(first('from')),
    to: splitAddresses(decodeWords(first('to'))),
    cc: splitAddresses(decodeWords(first('cc'))),
    messageId: h.get('message-id')?.[0]?.trim() ?? null,
    text: null,
    html: null,
    attachments: [],
  };
  collect(part, out);
  return out;
}

interface Part {
  headers: Map<string, string[]>;
  body: Buffer;
}

function readPart(buf: Buffer): Part {
  let split = buf.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (split < 0) {
    split = buf.indexOf('\n\n');
    sepLen = 2;
  }
  const head = split < 0 ? buf.toString('utf8') : buf.subarray(0, split).toString('utf8');
  const body = split < 0 ? Buffer.alloc(0) : buf.subarray(split + sepLen);
  const headers = new Map<string, string[]>();
  // Unfold: a line starting with white space continues the previous header.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  return { headers, body };
}

function collect(part: Part, out: ReadMessage): void {
  const ct = parseHeaderValue(part.headers.get('content-type')?.[0] ?? 'text/plain; charset=utf-8');
  const type = ct.value.toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = ct.params.get('boundary');
    if (!boundary) return;
    for (const child of splitMultipart(part.body, boundary)) collect(readPart(child), out);
    return;
  }
  const content = decodeBody(part.body, part.headers.get('content-transfer-encoding')?.[0] ?? '7bit');
  const disposition = parseHeaderValue(part.headers.get('content-disposition')?.[0] ?? '');
  const filename = disposition.params.get('filename') ?? ct.params.get('name') ?? null;
  const isAttachment = disposition.value.toLowerCase() === 'attachment' || filename !== null;
  if (!isAttachment && type === 'text/plain' && out.text === null) out.text = content.toString('utf8');
  else if (!isAttachment && type === 'text/html' && out.html === null) out.html = content.toString('utf8');
  else out.attachments.push({ filename, contentType: type, content });
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1'); // byte-preserving
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let pos = text.indexOf(delimiter);
  while (pos >= 0) {
    const start = text.indexOf('\n', pos);
    if (start < 0 || text.startsWith(`${delimiter}--`, pos)) break;
    const next = text.indexOf(`\n${delimiter}`, start);
    if (next < 0) break;
    const end = text[next - 1] === '\r' ? next - 1 : next;
    parts.push(Buffer.from(text.slice(start + 1, end), 'latin1'));
    pos = next + 1;
  }
  return parts;
}

function decodeBody(body: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body.toString('latin1'));
    default:
      return body;
  }
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const s = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047: =?charset?B|Q?text?= words; adjacent encoded words join without the space between them. */
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '));
      return decodeCharset(bytes, charset);
    });
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase().replace(/\*.*$/, '')).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** `value; a=b; c*=utf-8''%E4..; d*0*=...; d*1*=...` into the value and decoded parameters. */
function parseHeaderValue(header: string): { value: string; params: Map<string, string> } {
  const pieces = header.match(/("[^"]*"|[^;])+/g) ?? [''];
  const value = (pieces[0] ?? '').trim();
  const continued = new Map<string, { i: number; text: string; encoded: boolean }[]>();
  const params = new Map<string, string>();
  for (const piece of pieces.slice(1)) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    const key = piece.slice(0, eq).trim().toLowerCase();
    let v = piece.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    const m = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(key);
    if (!m) continue;
    const base = m[1] as string;
    const list = continued.get(base) ?? [];
    list.push({ i: m[2] === undefined ? 0 : Number(m[2]), text: v, encoded: m[3] === '*' });
    continued.set(base, list);
  }
  for (const [base, list] of continued) {
    list.sort((a, b) => a.i - b.i);
    const anyEncoded = list.some((p) => p.encoded);
    if (!anyEncoded) {
      params.set(base, decodeWords(list.map((p) => p.text).join('')));
      continue;
    }
    // RFC 2231: the first encoded piece carries charset'language'; later pieces are bare.
    let charset = 'utf-8';
    const bytes: Buffer[] = [];
    list.forEach((p, idx) => {
      let t = p.text;
      if (idx === 0 && p.encoded) {
        const m2 = /^([^']*)'[^']*'(.*)$/.exec(t);
        if (m2) {
          charset = m2[1] || 'utf-8';
          t = m2[2] as string;
        }
      }
      bytes.push(p.encoded ? Buffer.from(t.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1') : Buffer.from(t, 'utf8'));
    });
    params.set(base, decodeCharset(Buffer.concat(bytes), charset));
  }
  return { value, params };
}

function splitAddresses(value: string): string[] {
  if (value.trim() === '') return [];
  return (value.match(/("[^"]*"|<[^>]*>|[^,])+/g) ?? []).map((s) => s.trim()).filter((s) => s !== '');
}
