// The payload codec and its keyring, the opaque inspection ids, the `ssj keys` commands, and the
// codec endpoint over real HTTP (CORS, tokens, namespaces, the log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../codec/encryption-codec';
import { createKeyFile, Keyring, loadKeyring, newKeyFile, readKeyFile, rotateKeyFile, rotatedKeyFile } from '../codec/keyring';
import { startCodecServer, tokenDigest, type CodecServer } from '../codec/server';

const ROOT = path.join(__dirname, '..');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-codec-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const plain = (data: string): Payload => ({ metadata: { encoding: utf8('json/plain') }, data: utf8(data) });

describe('keyring files', () => {
  it('creates a 0600 file, refuses to overwrite it, rotates keeping the old keys', () => {
    const file = path.join(tmp, 'keys.json');
    const f = createKeyFile(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(f.keys)).toEqual(['k1']);
    expect(() => createKeyFile(file)).toThrow(/exists already; it is not overwritten/);
    const r = rotateKeyFile(file);
    expect(r.current).toBe('k2');
    expect(r.keys.k1).toBe(f.keys.k1);
    expect(r.idSecret).toBe(f.idSecret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readKeyFile(file).current).toBe('k2');
  });

  it('refuses a key file that group or others may read, naming the file and the fix', () => {
    const file = path.join(tmp, 'open.json');
    createKeyFile(file);
    fs.chmodSync(file, 0o644);
    expect(() => loadKeyring({ SSJ_CODEC_KEYS_FILE: file })).toThrow(`SSJ_CODEC_KEYS_FILE: the key file ${file} may be read by group or others (mode 644); it must be readable by its owner only: chmod 600 ${file}`);
  });

  it('names the file or variable and the field that is wrong', () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...newKeyFile(), current: 'k9' }), { mode: 0o600 });
    expect(() => loadKeyring({ SSJ_CODEC_KEYS_FILE: file })).toThrow(`${file}: current: names a key that is not in keys`);
    expect(() => loadKeyring({ SSJ_CODEC_KEYS: JSON.stringify({ ...newKeyFile(), idSecret: 'short' }) })).toThrow(/^SSJ_CODEC_KEYS: idSecret: must be 32 bytes in base64/);
    expect(() => loadKeyring({})).toThrow('no payload encryption keys: neither SSJ_CODEC_KEYS_FILE nor SSJ_CODEC_KEYS is set');
  });
});

describe('the encryption codec', () => {
  it('encrypts every payload with the current key and a fresh IV, and decrypts it', async () => {
    const codec = new EncryptionCodec(new Keyring(newKeyFile()));
    const [a, b] = await codec.encode([plain('"K01 单位K01"'), plain('"K01 单位K01"')]);
    for (const p of [a!, b!]) {
      expect(text(p.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(p.metadata![KEY_ID_METADATA])).toBe('k1');
      expect(Buffer.from(p.data!).includes(utf8('K01'))).toBe(false);
    }
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    const [back] = await codec.decode([a!]);
    expect(text(back!.metadata!.encoding)).toBe('json/plain');
    expect(text(back!.data)).toBe('"K01 单位K01"');
  });

  it('rotation: new payloads use the new key, old ones still decrypt; an unknown key id or an altered blob fails clearly', async () => {
    const first = newKeyFile();
    const old = await new EncryptionCodec(new Keyring(first)).encode([plain('"old"')]);
    const rotated = new EncryptionCodec(new Keyring(rotatedKeyFile(first)));
    const [fresh] = await rotated.encode([plain('"new"')]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect(text((await rotated.decode(old))[0]!.data)).toBe('"old"');

    const other = new EncryptionCodec(new Keyring({ ...newKeyFile(), current: 'x1', keys: { x1: newKeyFile().keys.k1! } }));
    await expect(other.decode(old)).rejects.toThrow('payload encrypted with key id "k1", which this keyring does not hold (it holds: x1)');
    const altered = { ...old[0]!, data: Buffer.from(old[0]!.data!).map((x, i) => (i === 20 ? x ^ 1 : x)) };
    await expect(rotated.decode([altered])).rejects.toThrow(/does not authenticate with key k1/);
  });

  it('passes through payloads that are not encrypted (histories saved before the codec)', async () => {
    const codec = new EncryptionCodec(new Keyring(newKeyFile()));
    const p = plain('{"unitId":"K01"}');
    expect(await codec.decode([p])).toEqual([p]);
  });
});

describe('opaque inspection workflow ids', () => {
  it('are <campaign>.insp.<24 hex>, stable for a keyring, different across keyrings, and name no unit', () => {
    const f = newKeyFile();
    const a = new Keyring(f).inspectionWorkflowId('campaign-x-2024q1', 'K01');
    expect(a).toMatch(/^campaign-x-2024q1\.insp\.[0-9a-f]{24}$/);
    expect(new Keyring(rotatedKeyFile(f)).inspectionWorkflowId('campaign-x-2024q1', 'K01')).toBe(a);
    expect(new Keyring(newKeyFile()).inspectionWorkflowId('campaign-x-2024q1', 'K01')).not.toBe(a);
    expect(new Keyring(f).inspectionWorkflowId('campaign-x-2024q1', 'K02')).not.toBe(a);
    expect(a).not.toContain('K01');
  });
});

describe('ssj keys', () => {
  const ssj = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'client', 'ssj.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: tmp, SSJ_DATA_DIR: path.join(tmp, 'data'), ...env },
    });

  it('init and rotate write 0600 files; token prints a token once and keeps its digest; a command that needs Temporal refuses without keys', () => {
    const file = path.join(tmp, 'cli', 'keys.json');
    const init = ssj(['keys', 'init', '--file', file]);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain(`created ${file} (mode 0600) with key k1`);
    expect(ssj(['keys', 'init', '--file', file]).status).toBe(2);
    const rot = ssj(['keys', 'rotate', '--file', file]);
    expect(rot.stdout).toContain('key k2 is current; it holds k1, k2');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const tokens = path.join(tmp, 'cli', 'tokens.json');
    const tok = ssj(['keys', 'token', '--tokens-file', tokens, '--person', 'DIS1']);
    expect(tok.status, tok.stderr).toBe(0);
    const token = tok.stdout.trim();
    const kept = fs.readFileSync(tokens, 'utf8');
    expect(kept).not.toContain(token);
    expect(JSON.parse(kept)).toEqual({ tokens: [{ person: 'DIS1', sha256: tokenDigest(token) }] });

    const refused = ssj(['quarter', 'list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('ssj: no payload encryption keys: neither SSJ_CODEC_KEYS_FILE nor SSJ_CODEC_KEYS is set');
    expect(refused.stderr).toContain('keys init --file');
  }, 60_000);
});

describe('the codec endpoint over HTTP', () => {
  const keyring = new Keyring(newKeyFile());
  const UI = 'http://127.0.0.1:8233';
  let server: CodecServer;
  const log: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = await startCodecServer({
      keyring,
      tokens: {
        tokens: [
          { person: 'DIS1', sha256: tokenDigest('staff-token') },
          { person: 'ADM2', sha256: tokenDigest('other-ns-token'), namespaces: ['elsewhere'] },
        ],
      },
      corsOrigins: [UI],
      log: (e) => log.push(e),
    });
  });
  afterAll(() => server?.close());

  const body = async (payloads: Payload[]) =>
    JSON.stringify({
      payloads: payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    });
  const post = (action: string, headers: Record<string, string>, b: string) =>
    fetch(`${server.url}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, body: b });

  it('decodes and encodes for a staff token, and logs who, not what', async () => {
    const [enc] = await new EncryptionCodec(keyring).encode([plain('"secret 单位K01"')]);
    const r = await post('decode', { Authorization: 'Bearer staff-token' }, await body([enc!]));
    expect(r.status).toBe(200);
    const out = (await r.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(out.payloads[0]!.data, 'base64').toString('utf8')).toBe('"secret 单位K01"');
    expect(Buffer.from(out.payloads[0]!.metadata.encoding!, 'base64').toString('utf8')).toBe('json/plain');

    const e = await post('encode', { Authorization: 'Bearer staff-token' }, await body([plain('"x"')]));
    const encoded = (await e.json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString('utf8')).toBe(ENCRYPTED_ENCODING);

    expect(log).toContainEqual(expect.objectContaining({ msg: 'decode', person: 'DIS1', namespace: 'default', payloads: 1, encrypted: 1, keyIds: ['k1'] }));
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(JSON.stringify(log)).not.toContain('staff-token');
  });

  it('refuses: no token 401, an unknown token 403, a namespace not allowed 403, an origin not allowed 403', async () => {
    const b = await body([plain('"x"')]);
    const none = await post('decode', {}, b);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post('decode', { Authorization: 'Bearer guessed' }, b)).status).toBe(403);
    const ns = await post('decode', { Authorization: 'Bearer other-ns-token' }, b);
    expect(ns.status).toBe(403);
    expect(await ns.text()).toContain('ADM2 may not decode namespace \\"default\\"');
    expect((await post('decode', { Authorization: 'Bearer staff-token', Origin: 'http://evil.example' }, b)).status).toBe(403);
    expect((await post('decode', { Authorization: 'Bearer staff-token' }, '{"payload":1}')).status).toBe(400);
  });

  it('answers the Web UI origin with CORS; a login cookie works only from that origin', async () => {
    const pre = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(UI);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization.*X-Namespace/);
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    expect((await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } })).status).toBe(403);

    expect((await fetch(`${server.url}/login?token=guessed`)).status).toBe(403);
    const login = await fetch(`${server.url}/login?token=staff-token`);
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const b = await body([plain('"x"')]);
    const fromUi = await post('decode', { Cookie: cookie, Origin: UI }, b);
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI);
    expect((await post('decode', { Cookie: cookie }, b)).status).toBe(401);
  });
});
