// domain/draw/tickets.ts: the draw's bulk ticket hashing (one block from the seed's state) must give
// exactly SHA-256(seed + "|" + label) as node:crypto computes it, and order as the hex text does,
// for labels on both sides of the one-block limit (the longer ones fall back to node:crypto).
import * as crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TicketHasher, compareTickets, ticketHex } from '../domain/draw/tickets';
import { idBytesOf } from '../domain/draw/unit-table';

const seed = crypto.createHash('sha256').update('tickets test').digest('hex');
const reference = (label: string): string => crypto.createHash('sha256').update(`${seed}|${label}`).digest('hex');

describe('bulk tickets', () => {
  it('equal node:crypto for every label length from 2 to 130 bytes', () => {
    const hasher = new TicketHasher(seed);
    const out = new Int32Array(8);
    const fixedParts = ['select|general.brigade-pingqiao|', 'assign|914115000000ABCDEF|', 'a|', `select|${'p'.repeat(50)}|`, 'x'.repeat(64)];
    let checked = 0;
    for (const fixed of fixedParts) {
      const prefix = hasher.prefix(fixed);
      for (let n = 1; n <= 64; n++) {
        const id = 'Zz9._-A0'.repeat(8).slice(0, n);
        prefix.writeUnits(idBytesOf([id]), [0], 1, out); // a batch of one: the JavaScript rounds
        expect(ticketHex(out, 0), `${fixed}${id}`).toBe(reference(fixed + id));
        checked++;
      }
    }
    expect(checked).toBe(fixedParts.length * 64);
  });

  it('compare as their hex text does', () => {
    const prefix = new TicketHasher(seed).prefix('select|pool|');
    const ids = Array.from({ length: 300 }, (_, i) => `U${i}`);
    const words = new Int32Array(8 * ids.length);
    prefix.writeUnits(idBytesOf(ids), [...ids.keys()], ids.length, words);
    const byWords = ids.map((_, i) => i).sort((a, b) => compareTickets(words, 8 * a, words, 8 * b));
    const byHex = ids.map((_, i) => i).sort((a, b) => (reference(`select|pool|${ids[a]}`) < reference(`select|pool|${ids[b]}`) ? -1 : 1));
    expect(byWords).toEqual(byHex);
    expect(compareTickets(words, 0, words, 0)).toBe(0);
  });

  it('refuses a seed that is not 64 lowercase hex characters', () => {
    expect(() => new TicketHasher(seed.toUpperCase())).toThrow(/64 lowercase hex/);
  });
});
