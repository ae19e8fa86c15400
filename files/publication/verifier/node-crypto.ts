// What domain/draw needs of node:crypto, for the browser bundle of verify.html (build.ts aliases
// `node:crypto` to this file): SHA-256, synchronous, of text or bytes, as the draw code calls it.
// The hashing itself is domain/sha256.ts; tests/verify-html.test.ts checks it against node:crypto.
import { sha256Fast } from '../../../domain/sha256';

export { sha256Fast };

function onlySha256(alg: string): void {
  if (alg !== 'sha256') throw new TypeError(`verify.js: only sha256 is available in the browser, not ${alg}`);
}

export function hash(alg: string, data: string | Uint8Array, _enc: 'hex'): string {
  onlySha256(alg);
  return sha256Fast(data);
}

export function createHash(alg: string): { update(data: string | Uint8Array): { digest(enc: 'hex'): string } } {
  onlySha256(alg);
  return { update: (data: string | Uint8Array) => ({ digest: () => sha256Fast(data) }) };
}
