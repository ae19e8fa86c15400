// The registries' records: the shared contract between the store (files/registry), import,
// freeze, quotas and the synthetic generator. Pure zod schemas and types, no side effects.
import { z } from 'zod';

/** A code as DRAW-SPEC defines it: lowercase, digits, `.`, `_`, `-`. */
export const codeSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a code: [a-z0-9][a-z0-9._-]{0,63}');
/** An id as DRAW-SPEC defines it (unit ids, person ids). */
export const idSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/, 'must be an id: [0-9A-Za-z][0-9A-Za-z._-]{0,63}');
/** A calendar date, YYYY-MM-DD (dates in the registries are days, Beijing time). */
export const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const departmentKinds = ['section', 'direct-brigade', 'county-brigade', 'agency'] as const;
export const departmentSchema = z.object({
  id: codeSchema, // e.g. section-1, brigade-shihe, county-xixian, agency-market
  kind: z.enum(departmentKinds),
  name: z.string().min(1), // official Chinese name, e.g. 浉河大队
  /** Area code a brigade covers (direct brigades: a central-city district; county brigades: the county). */
  jurisdiction: codeSchema.nullable(),
  email: z.string().email().nullable(),
});
export type Department = z.infer<typeof departmentSchema>;

export const unitCategories = ['key', 'general', 'special'] as const;
export type UnitCategory = (typeof unitCategories)[number];
export const unitStatuses = ['active', 'closed', 'banned'] as const;

export const unitSchema = z.object({
  /** Unified social credit code (18 chars, GB 32100 check digit) or a local code for projects without one. */
  id: idSchema,
  idKind: z.enum(['uscc', 'local']),
  name: z.string().min(1),
  category: z.enum(unitCategories),
  /** Area code of the unit's location: a central-city district or a county. */
  jurisdiction: codeSchema,
  industry: z.string(),
  address: z.string(),
  /** Environmental credit rating a–d, if rated. */
  creditRating: z.enum(['a', 'b', 'c', 'd']).nullable(),
  positiveList: z.boolean(),
  /** Why the unit is on the positive list (e.g. epidemic-supplies, livelihood, other). */
  positiveKind: codeSchema.nullable(),
  /** Special units: why under special watch (penalised, supervised-handling, poor-credit, major-risk, complaints). */
  specialReason: codeSchema.nullable(),
  /** Special units with environmental violations or management problems (the 30% pool). */
  specialProblem: z.boolean(),
  status: z.enum(unitStatuses),
  /** Date the current status took effect. */
  statusDate: dateSchema,
});
export type Unit = z.infer<typeof unitSchema>;

export const roles = [
  'inspector',
  'manager', // leader in charge (分管领导)
  'brigade-leader',
  'detachment-leader',
  'admin', // system administrator, a draw witness
  'discipline', // office discipline-inspection officer, a draw witness
  'superior-contact', // contact at the superior office that receives the annual plan
] as const;
export type Role = (typeof roles)[number];

/**
 * Each role's name wherever people read it (console, notices, public pages): the word the
 * personnel registry's 角色 column takes for it (files/registry/templates.ts ROLE_VALUES), so
 * what a bureau types is what it reads back.
 */
export const ROLE_LABELS: Record<Role, string> = {
  inspector: '执法人员',
  manager: '分管领导',
  'brigade-leader': '大队长',
  'detachment-leader': '支队长',
  admin: '系统管理员',
  discipline: '纪检人员',
  'superior-contact': '上级联系人',
};
/** A role's name; a code not known here as written. */
export const roleLabel = (role: string): string => (ROLE_LABELS as Record<string, string>)[role] ?? role;

export const inspectorDetailsSchema = z.object({
  certificateNo: z.string().min(1),
  onStaff: z.boolean(),
  onPost: z.boolean(),
  specialties: z.array(z.string()),
});

export const personSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  department: codeSchema,
  roles: z.array(z.enum(roles)).min(1),
  email: z.string().email().nullable(),
  /** Present for people with the inspector role. */
  inspector: inspectorDetailsSchema.nullable(),
  active: z.boolean(),
});
export type Person = z.infer<typeof personSchema>;

export const conflictSchema = z.object({
  inspectorId: idSchema,
  unitId: idSchema,
  reason: codeSchema, // relative, former-employer, shareholder, declared, ...
});
export type Conflict = z.infer<typeof conflictSchema>;

/** The registries as they stood on one date: what freeze and quotas work from. */
export interface RegistrySnapshot {
  asOf: string;
  departments: Department[];
  units: Unit[];
  people: Person[];
  conflicts: Conflict[];
}

/**
 * The agencies a finding outside environmental law may be referred to (移送): departments of kind
 * `agency`, except the bureau that issues the programme (programme.issuer, e.g. 信阳市生态环境局,
 * registered as an agency to receive the annual plan): a finding is referred to another agency.
 */
export function referralAgencies<D extends Pick<Department, 'kind' | 'name'>>(departments: Iterable<D>, issuer: string | null): D[] {
  return [...departments].filter((d) => d.kind === 'agency' && d.name !== issuer);
}

/** An inspector who may be drawn: certified, on staff, on post, active. */
export function isEligibleInspector(p: Person): boolean {
  return p.active && p.roles.includes('inspector') && p.inspector !== null && p.inspector.onStaff && p.inspector.onPost;
}
