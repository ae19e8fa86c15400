// Two witnesses, two people (DRAW-SPEC section 11): the seed is only beyond anyone's choosing when
// no one holds both witnesses' secrets. The workflow refuses one person as both witnesses; this
// refuses the console's own ways round it. An administrator can invite a person (or a made-up
// person added to the registry) to an account and open the link themselves; through such
// accounts, each able to invite in turn, one person can hold any number of console identities.
// So each witness's account is traced back through the invitations that set it up (who issued
// each, up to an account made on the server), and two witnesses are tied when one of them, or
// one and the same person, stands in both lines: one set up the other's account (directly or
// through accounts they set up), or the same person set up both.
//
// Which accounts acted for a witness is read from the audit log (ceremony.commit), so a commit
// from an account since replaced still counts. Accounts made on the server (`ssj user invite`
// there, `ssj user add`) start a line of their own: access to the server is trusted
// (docs/roles.md), and a witness who committed through `ssj witness commit` has no console
// account to trace.
import type { ConsoleStore } from '../stores/console-store';
import { issuerOf } from './accounts';
import type { WitnessRole } from '../domain/messages';

/** A witness of one ceremony as the check sees them: the person, and the console accounts that acted for them. */
export interface WitnessSide {
  role: WitnessRole;
  personId: string;
  accountIds: readonly string[];
}

/**
 * How two witnesses are tied: `kind` 'set-up' — `by`, the other witness, set up `witness`'s account
 * (directly or through accounts they set up); 'common' — `by`, a third person, set up both.
 */
export interface WitnessTie {
  kind: 'set-up' | 'common';
  witness: WitnessSide;
  account: string;
  by: string;
}

/**
 * The people who set up account `accountId`, nearest first: whoever issued the invitation it was
 * made from, whoever set up that account, and so on, to an account made otherwise.
 */
export async function setUpLine(store: ConsoleStore, accountId: string): Promise<string[]> {
  const people: string[] = [];
  const seen = new Set<string>([accountId]);
  let account = accountId;
  // The whole line, however long: a person may invite themselves again and again (each new account
  // retires the last), and a line cut short would let its far end go unseen. An issuer exists before
  // the account it sets up, so the line cannot loop; `seen` guards a damaged store all the same.
  for (;;) {
    const issuer = await issuerOf(store, account);
    if (!issuer || seen.has(issuer)) break;
    seen.add(issuer);
    const by = await store.getAccount(issuer);
    if (!by) break;
    people.push(by.personId);
    account = issuer;
  }
  return people;
}

/** The accounts that committed for `role` in ceremony `number` of the campaign, per the audit log. */
export async function committingAccounts(store: ConsoleStore, campaignId: string, number: number, role: WitnessRole, personId: string): Promise<string[]> {
  const entries = await store.listAudit({ action: 'ceremony.commit', target: campaignId, limit: 1000 });
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.accountId && e.personId === personId && e.detail.role === role && e.detail.ceremony === number) ids.add(e.accountId);
  }
  return [...ids];
}

/** How the two witnesses are tied (the first tie found), or null when their accounts' lines are apart. */
export async function witnessTie(store: ConsoleStore, a: WitnessSide, b: WitnessSide): Promise<WitnessTie | null> {
  const lines = async (side: WitnessSide) => Promise.all(side.accountIds.map(async (account) => ({ account, line: await setUpLine(store, account) })));
  const [aLines, bLines] = await Promise.all([lines(a), lines(b)]);
  for (const [witness, own, other] of [
    [a, aLines, b],
    [b, bLines, a],
  ] as const) {
    for (const { account, line } of own) if (line.includes(other.personId)) return { kind: 'set-up', witness, account, by: other.personId };
  }
  for (const { account, line } of aLines) {
    const common = line.find((p) => bLines.some((x) => x.line.includes(p)));
    if (common !== undefined) return { kind: 'common', witness: a, account, by: common };
  }
  return null;
}

/**
 * Runs `fn` for one campaign at a time in this process: a ceremony step's check and its Update
 * are not interleaved with another witness's, so two commits sent at once cannot both pass the
 * check before either is recorded. (The reveal checks again, across processes.)
 */
export function oneAtATime(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
