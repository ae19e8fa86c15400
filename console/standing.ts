// An account's standing today: its granted roles measured against its person as the registry has
// them now. The session check (console/auth.ts loadSession), sign-in (password and OIDC) and
// 用户管理 all read it here, so what the page shows is what the console enforces.
import type { Person } from '../domain/registry';

/** Why an enabled account cannot be used today: its person is not in the registry, is inactive, or holds none of its roles. */
export type Unusable = 'not-in-registry' | 'inactive' | 'no-roles';

/** An account's granted roles measured against its person as the registry has them today. */
export interface Standing {
  /** The granted roles the person still holds: the only ones the account acts with. */
  roles: string[];
  /** The granted roles the person no longer holds (all of them when the person is gone or inactive). */
  lost: string[];
  unusable: Unusable | null;
}

/**
 * What an account may do today: a grant is a ceiling, the registry decides within it. A role the
 * person gives up stops counting as soon as the console sees the change (its registry index is at
 * most a minute old), and counts again if the registry gives it back; nothing is written to the
 * account, so 用户管理 can still show what was granted.
 */
export function standingOf(granted: readonly string[], person: Person | null): Standing {
  if (!person) return { roles: [], lost: [...granted], unusable: 'not-in-registry' };
  if (!person.active) return { roles: [], lost: [...granted], unusable: 'inactive' };
  const held = person.roles as readonly string[];
  const roles = granted.filter((r) => held.includes(r));
  return { roles, lost: granted.filter((r) => !held.includes(r)), unusable: roles.length ? null : 'no-roles' };
}
