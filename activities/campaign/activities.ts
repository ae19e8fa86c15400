// The activities the quarter's workflows call. Each is idempotent, keyed by workflow id and step:
// retried after a crash it returns the same answer and writes no second row, number or notice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Context as ActivityContext } from '@temporalio/activity';
import { readManifest } from '../../domain/draw/read-manifest';
import { runDraw, seedCommitment, DrawError } from '../../domain/draw/draw';
import { applyReplacements, proposeReplacement, ReplacementError, type ReplacementRequest } from '../../domain/draw/replacements';
import type { Manifest } from '../../domain/draw/manifest';
import { DRAW_SPEC_V1, DRAW_SPEC_V2, type DrawRecord, type DrawSpec, type RecordWitness, type Replacement } from '../../domain/draw/record';
import type { CeremonyEntry, CeremonyRecord } from '../../domain/ceremonies';
import {
  annualPlan,
  annualPlanFromProgramme,
  chineseQuarter,
  formatDocumentNumber,
  referralLetter,
  supervisionNotice,
  transferForm,
  type CaseDocumentInput,
  type OfficialDocument,
} from '../../domain/documents';
import type { HandlingKind, ResultReport } from '../../domain/outcomes';
import { campaignCode, type Programme, type Quarter, type ReasonCodes } from '../../domain/programme';
import type { Unit } from '../../domain/registry';
import type { WitnessEntropy } from '../../domain/messages';
import { freezeToFolder } from '../freeze';
import { DRAW_NOTICE_FILE, buildDrawNotice, drawNoticeDir, drawTime, writeDrawNotice } from '../publication/draw-notice';
import { openRegistry } from '../registry/store';
import { NEEDS_DATA, OPERATOR_ROLES } from '../../domain/parking';
import { isEmailAddress, MailRejectedError, type Notice, type SendNoticeResult } from '../mail/mailer';
import type { RefusedAddress } from '../mail/outbox';
import { NOTICE_PROBLEMS_FILE, NoticeProblemLog, type DeliveryStatus, type NoticeProblem, type RefusedRecipient } from '../mail/problems';
import { annualPlanNotice, handoverNotice, type HandoverFacts } from '../mail/templates';
import { roleName, renderNotice, type NoticeContext, type NoticeKind, type NoticeParams, type NoticeRecipients } from './notices';
import { openCampaignStore, type CampaignStore, type Roster } from './store';
import { refuse, withTypedRefusals } from './refusals';
import { safeWorkflowId } from '../../domain/workflow-id';
import { heartbeat } from '../heartbeat';
import { bundledCalendar, WorkingCalendar, type CalendarData, type CalendarSlice } from '../../domain/calendar';
import type { ResolvedClock } from '../../domain/programme-clock';
import type { Keyring } from '../../codec/keyring';
import type { ConsoleStore } from '../../stores/console-store';
import { projectCampaign as writeCampaignProjection, projectInspection as writeInspectionProjection, type CampaignProjection, type InspectionProjection } from './projection';

export interface MailSender {
  /**
   * Sends once per key; a permanent refusal throws MailRejectedError, an outage a retryable
   * failure. The mailer's SendNoticeResult names recipients refused while others got it.
   */
  sendNotice(notice: Notice): Promise<unknown>;
}

/** What became of a notice: sent to all, to some, to nobody (refused), or nobody had an address. */
export interface NoticeDelivery {
  status: DeliveryStatus;
  sentTo: string[];
  refused: RefusedRecipient[];
}

export interface CampaignActivityDeps {
  /** Folder for the campaign store (campaign.db) and the manifests (campaigns/<id>/manifest). */
  dataDir: string;
  /** The registry SQLite file. */
  registryDb: string;
  programme: Programme;
  mail: MailSender;
  /** Where the disclosure package is written; default <dataDir>/publication. */
  publicationDir?: string;
  /** Writes the disclosure package; default: a JSON + CSV package in the store's folder. */
  publish?: (args: PublishArgs) => Promise<{ location: string }>;
  /**
   * Names inspections without naming units (codec/keyring.ts). Absent: no `workflowId` is returned
   * and the batch falls back to the legacy `<campaign>.unit.<unitId>` ids; only tests that run
   * without the codec leave it out (the worker always passes its keyring).
   */
  keyring?: Pick<Keyring, 'inspectionWorkflowId'>;
  /**
   * The working-day calendar file (the format of config/calendar-cn.json), read when a campaign
   * starts; default: the calendar bundled with the code. Running campaigns keep the slice they
   * recorded, so editing this file changes only campaigns started after.
   */
  calendarFile?: string;
  /**
   * May campaigns run on a rehearsal clock (演练: a programme day in seconds)? Default false: a
   * production worker refuses them in prepareCampaign. The worker setting sets it.
   */
  allowRehearsalClock?: boolean;
  /** The console's store: projectInspection writes its task and inspection rows there. Absent: it does nothing. */
  consoleStore?: ConsoleStore;
}

/** Settings the workflows need from the programme (it is not read inside workflow code). */
export interface CampaignSettings {
  programmeId: string;
  year: number;
  drawByDayOfFirstMonth: number;
  inspectionDaysBeforeDue: number[];
  graceWorkingDays: number;
  approvalWorkingDays: number;
  publicationWorkingDays: number;
  /** Working days before the update window closes when brigades get a reminder. */
  changeListReminderWorkingDays: number;
  /** ssj-draw/2: hours after the last commitment by which every witness must reveal. */
  witnessRevealHours: number;
  annualPlanBy: { month: number; day: number };
}

/** Who a notice is for (ids and roles, as the workflows say it); see ./notices. */
export type Recipients = NoticeRecipients;

export interface PublishArgs {
  campaignId: string;
  programme: Programme;
  quarter: Quarter;
  store: CampaignStore;
  manifestDir: string;
  record: DrawRecord;
  replacements: Replacement[];
  outDir: string;
  publishedOn: string;
}

export interface WitnessRoster {
  admin: string[];
  discipline: string[];
  manager: string[];
}

export interface BatchPlan {
  department: string;
  chunk: number;
  count: number;
}

export interface InspectionSeed {
  unitId: string;
  poolId: string;
  department: string;
  team: string[];
  method: 'onsite' | 'offsite';
  /** The opaque inspection workflow id (deps.keyring). */
  workflowId?: string;
}

const CHANGE_LIST_REMINDER_WORKING_DAYS = 5;
const WITNESS_REVEAL_HOURS = 48;

/** A witness as the campaign hands them to the draw: ssj-draw/1 entropy, or an ssj-draw/2 reveal with its commitment. */
export type DrawWitness = WitnessEntropy | { role: WitnessEntropy['role']; personId: string; commitment: string; salt: string; entropy: string };

/**
 * The record's witness entry for the manifest's spec. A ceremony's reveal on an ssj-draw/1 manifest
 * (or entropy alone on an ssj-draw/2 one) is refused: the campaign and its freeze disagree.
 */
function recordWitness(w: DrawWitness, spec: DrawSpec): RecordWitness {
  const v2 = 'commitment' in w;
  if (v2 !== (spec === DRAW_SPEC_V2)) {
    throw refuse(`witness ${w.role}:${w.personId}: the manifest is ${spec} but the witness came ${v2 ? 'from an ssj-draw/2 ceremony' : 'with ssj-draw/1 entropy'}`, 'DrawFailed');
  }
  return v2
    ? { role: w.role, person_id: w.personId, commitment: w.commitment, salt: w.salt, entropy: w.entropy }
    : { role: w.role, person_id: w.personId, entropy: w.entropy };
}

/**
 * replacements.json is published as it stands (ssj verify needs it): its `reason` must be a bare
 * code from the programme, never a person's words.
 */
function requireReasonCode(reason: string, unitId: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(reason)) {
    throw refuse(`replacement for ${unitId}: reason must be a bare reason code (it is published in replacements.json), got ${JSON.stringify(reason.slice(0, 40))}`, 'ReplacementFailed');
  }
}


function buildActivities(deps: CampaignActivityDeps, onStore: (close: () => void) => void) {
  let storeInstance: CampaignStore | undefined;
  const store = (): CampaignStore => (storeInstance ??= openCampaignStore(deps.dataDir));
  onStore(() => {
    storeInstance?.close();
    storeInstance = undefined;
  });
  const manifestCache = new Map<string, Manifest>();

  function manifestOf(campaignId: string): { manifest: Manifest; record: DrawRecord | null; dir: string } {
    const c = store().requireCampaign(campaignId);
    if (!c.manifestDir) throw refuse(`campaign ${campaignId} has not been frozen yet`);
    let m = manifestCache.get(campaignId);
    if (!m || m.manifestDigest !== c.manifestDigest) {
      m = readManifest(c.manifestDir);
      if (m.manifestDigest !== c.manifestDigest) {
        throw refuse(`manifest folder ${c.manifestDir} has digest ${m.manifestDigest}, the campaign froze ${c.manifestDigest}: it was changed`, 'ManifestRefused');
      }
      manifestCache.set(campaignId, m);
    }
    return { manifest: m, record: c.record, dir: c.manifestDir };
  }
  /**
   * Appends the replacement the spec's rules give (once per key), then replays the list so the
   * caller sees the teams as they now stand. No candidate left is a refusal, not a retry.
   */
  function appendReplacement(
    a: { key: string; campaignId: string; unitId: string; reason: string; approvedBy: string; at: string },
    req: ReplacementRequest,
    what: 'inspector' | 'unit',
  ): { entry: Replacement; assignments: ReturnType<typeof applyReplacements>['assignments'] } {
    const { manifest, record } = manifestOf(a.campaignId);
    if (!record) throw refuse(`campaign ${a.campaignId} has no draw record`);
    try {
      const entry = store().appendReplacement(a.campaignId, a.key, (previous) =>
        proposeReplacement(manifest, record, previous, { ...req, reason: a.reason, approved_by: a.approvedBy, at: a.at }),
      );
      return { entry, assignments: applyReplacements(manifest, record, store().replacements(a.campaignId)).assignments };
    } catch (err) {
      if (err instanceof ReplacementError || err instanceof DrawError) throw refuse(`no replacement ${what} for ${a.unitId}: ${err.message}`, 'ReplacementFailed');
      throw err;
    }
  }


  function rosterOf(campaignId: string): Roster {
    const r = store().requireCampaign(campaignId).roster;
    if (!r) throw refuse(`campaign ${campaignId} has no roster yet`);
    return r;
  }

  function rosterAt(asOf: string): Roster {
    const reg = openRegistry(deps.registryDb);
    try {
      const snap = reg.snapshotAt(asOf);
      return {
        asOf,
        people: snap.people
          .filter((p) => p.active)
          .map((p) => ({ id: p.id, name: p.name, department: p.department, roles: [...p.roles], email: p.email, certificateNo: p.inspector?.certificateNo ?? null })),
        departments: snap.departments.map((d) => ({ id: d.id, kind: d.kind, name: d.name, jurisdiction: d.jurisdiction, email: d.email })),
      };
    } finally {
      reg.close();
    }
  }

  /** The units as they stood on `asOf`, reading the registry once (a publication names thousands). */
  function unitsAt(unitIds: Iterable<string>, asOf: string): Map<string, Unit | null> {
    const reg = openRegistry(deps.registryDb);
    try {
      const out = new Map<string, Unit | null>();
      for (const unitId of unitIds) {
        let state: Unit | null = null;
        for (const h of reg.history('unit', unitId)) if (h.effectiveDate <= asOf) state = h.state as Unit | null;
        out.set(unitId, state);
      }
      return out;
    } finally {
      reg.close();
    }
  }

  function unitAt(unitId: string, asOf: string): Unit | null {
    return unitsAt([unitId], asOf).get(unitId) ?? null;
  }
  /** The names behind a notice's ids, as of the campaign's freeze (roster and registry); see ./notices. */
  function noticeContext(campaignId: string): NoticeContext {
    const c = store().requireCampaign(campaignId);
    const roster = rosterOf(campaignId);
    const asOf = c.frozenAsOf ?? roster.asOf;
    const units = new Map<string, Unit | null>();
    const unitOf = (id: string): Unit | null => {
      if (!units.has(id)) units.set(id, unitAt(id, asOf));
      return units.get(id) ?? null;
    };
    const departmentName = (id: string) => roster.departments.find((d) => d.id === id)?.name ?? id;
    return {
      issuer: deps.programme.detachment.name,
      // The annual plan's campaign has quarter 0: the whole year.
      periodLabel: c.quarter >= 1 && c.quarter <= 4 ? `${c.year}年${chineseQuarter(c.quarter)}` : `${c.year}年度`,
      unit: (id) => {
        const u = unitOf(id);
        return { code: id, name: u?.name ?? id, address: u?.address || undefined };
      },
      person: (id) => {
        const p = roster.people.find((x) => x.id === id);
        return { name: p?.name ?? id, certificate: p?.certificateNo ?? undefined };
      },
      department: departmentName,
      inspectionDepartment: (unitId) => {
        const poolId =
          c.record?.assignments.find((x) => x.unit_id === unitId)?.pool_id ?? store().replacements(campaignId).find((r) => r.replacement === unitId)?.pool_id;
        const departmentId = c.record?.pools.find((p) => p.pool_id === poolId)?.department;
        return departmentId ? departmentName(departmentId) : '';
      },
      checkItems: deps.programme.checkItems.map((ci) => ci.item),
      handoverOf: (unitId) => {
        const area = unitOf(unitId)?.jurisdiction;
        const brigade = roster.departments.find((d) => (d.kind === 'county-brigade' || d.kind === 'direct-brigade') && d.jurisdiction === area);
        return brigade ? { kind: brigade.kind === 'county-brigade' ? 'supervision-notice' : 'transfer-form', receiver: brigade.name } : null;
      },
    };
  }

  type Addressee = Pick<RefusedRecipient, 'person' | 'department'>;

  /**
   * The addresses of `to` in the frozen roster, and who cannot be reached there (no address, a
   * malformed one, a role nobody holds). One address is written to once, however often it appears.
   */
  function resolve(roster: Roster, to: Recipients): { addresses: { address: string; who: Addressee }[]; unreachable: RefusedRecipient[] } {
    const addresses = new Map<string, { address: string; who: Addressee }>();
    const unreachable: RefusedRecipient[] = [];
    const seen = new Set<string>();
    const add = (address: string | null | undefined, who: Addressee) => {
      const a = address?.trim() ?? '';
      if (a === '') unreachable.push({ address: null, ...who, code: 'no-address', reason: '登记信息中没有邮箱地址' });
      else if (!isEmailAddress(a)) unreachable.push({ address: a, ...who, code: 'malformed-address', reason: '登记的邮箱地址格式不正确' });
      else if (!addresses.has(a.toLowerCase())) addresses.set(a.toLowerCase(), { address: a, who });
    };
    const addPerson = (id: string) => {
      if (seen.has(`person:${id}`)) return;
      seen.add(`person:${id}`);
      const p = roster.people.find((x) => x.id === id);
      if (p) add(p.email, { person: { id: p.id, name: p.name } });
      else unreachable.push({ address: null, person: { id, name: id }, code: 'not-in-roster', reason: '不在冻结时的人员名单中' });
    };
    for (const id of to.persons ?? []) addPerson(id);
    const holders = (roles: string[], department?: string) => roster.people.filter((p) => (department === undefined || p.department === department) && p.roles.some((r) => roles.includes(r)));
    if (to.roles) for (const p of holders(to.roles)) addPerson(p.id);
    if (to.departmentRoles) for (const p of holders(to.departmentRoles.roles, to.departmentRoles.department)) addPerson(p.id);
    for (const id of to.departments ?? []) {
      const d = roster.departments.find((x) => x.id === id);
      add(d?.email, { department: { id, name: d?.name ?? id } });
    }
    if (addresses.size === 0) {
      // Say why nobody is reachable: roles without a holder count only when no one else is.
      if (to.roles && holders(to.roles).length === 0) unreachable.push({ address: null, role: to.roles.map(roleName).join('、'), code: 'no-holder', reason: '无人担任该角色' });
      const dr = to.departmentRoles;
      if (dr && holders(dr.roles, dr.department).length === 0 && !(to.departments ?? []).includes(dr.department)) {
        const name = roster.departments.find((d) => d.id === dr.department)?.name ?? dr.department;
        unreachable.push({ address: null, department: { id: dr.department, name }, role: dr.roles.map(roleName).join('、'), code: 'no-holder', reason: '该部门无人担任该角色' });
      }
    }
    return { addresses: [...addresses.values()].sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0)), unreachable };
  }

  /**
   * Sends a notice to whoever of `to` can be reached, best-effort. A recipient refused for good, a
   * missing or malformed address, or nobody to send to is recorded once per key in
   * notice-problems.db and alerted to operations; the quarter goes on. Only an outage of the SMTP
   * server (MailUnavailable, MailBusy) is thrown, for Temporal to retry; the outbox then sends once.
   */
  async function deliver(
    key: string,
    campaignId: string,
    to: Recipients,
    content: { subject: string; text: string; html?: string; attachments?: Notice['attachments'] },
    unitId: string | null,
    at: string,
    kind: string,
  ): Promise<NoticeDelivery> {
    const roster = rosterOf(campaignId);
    const { addresses, unreachable } = resolve(roster, to);
    const emails = addresses.map((a) => a.address);
    // The event row says the notice was due, even when nobody on the list has an address.
    const missing = unreachable.map((r) => r.person?.id ?? r.department?.id ?? r.address ?? r.role ?? '');
    store().recordEvent({ key, campaignId, kind, unitId, detail: { to, emails, unreachable: missing, subject: content.subject }, at });
    const sent = await sendBestEffort(key, addresses, content);
    const refused = [...unreachable, ...sent.refused];
    const status: DeliveryStatus = refused.length === 0 ? 'sent' : sent.sentTo.length > 0 ? 'partly-sent' : emails.length > 0 ? 'refused' : 'nobody-reachable';
    const delivery: NoticeDelivery = { status, sentTo: sent.sentTo, refused };
    if (status !== 'sent') await reportProblem({ key, campaignId, kind, unitId, status, subject: content.subject, sentTo: sent.sentTo, refused, at });
    return delivery;
  }

  async function sendBestEffort(
    key: string,
    addresses: { address: string; who: Addressee }[],
    content: Omit<Notice, 'key' | 'to'>,
  ): Promise<{ sentTo: string[]; refused: RefusedRecipient[] }> {
    if (addresses.length === 0) return { sentTo: [], refused: [] };
    const byServer = (list: RefusedAddress[]): RefusedRecipient[] =>
      list.map((r) => ({ address: r.address, ...addresses.find((a) => a.address.toLowerCase() === r.address.toLowerCase())?.who, code: 'smtp-refused', reason: r.reason }));
    try {
      const r = ((await deps.mail.sendNotice({ key, to: addresses.map((a) => a.address), ...content })) ?? {}) as Partial<SendNoticeResult>;
      const refused = r.refused ?? (r.rejected ?? []).map((address) => ({ address, reason: 'refused by the server' }));
      const out = new Set(refused.map((x) => x.address.toLowerCase()));
      const sentTo = addresses.map((a) => a.address).filter((a) => !out.has(a.toLowerCase()));
      // Recipients the server deferred (4xx) while it took the others get the notice under a key of
      // their own: an outage of that send is retried (and sent once) like any other.
      const deferred = new Set(refused.filter((x) => /^4\d\d/.test(x.reason)).map((x) => x.address.toLowerCase()));
      if (deferred.size === 0) return { sentTo, refused: byServer(refused) };
      const later = await sendBestEffort(`${key}/deferred`, addresses.filter((a) => deferred.has(a.address.toLowerCase())), content);
      return { sentTo: [...sentTo, ...later.sentTo].sort(), refused: [...byServer(refused.filter((x) => !deferred.has(x.address.toLowerCase()))), ...later.refused] };
    } catch (err) {
      if (!(err instanceof MailRejectedError)) throw err;
      return { sentTo: [], refused: byServer(err.refused.length > 0 ? err.refused : addresses.map((a) => ({ address: a.address, reason: err.message }))) };
    }
  }

  /**
   * Records a notice that did not reach everyone (once per key) and alerts operations once: roles
   * detachment-leader and admin. The alert is best-effort too: its own failure is only recorded.
   */
  async function reportProblem(p: Omit<NoticeProblem, 'alert'>): Promise<void> {
    const alerted = problemLog((log) => {
      log.record(p);
      return p.kind === 'notice-refused' || log.get(p.key)?.alert != null;
    });
    if (alerted) return;
    const alertKey = `${p.key}/problem-alert`;
    const to: Recipients = { roles: ['detachment-leader', 'admin'] };
    const params: NoticeParams = {
      subject: p.subject,
      sentTo: p.sentTo,
      refused: p.refused.map((r) => {
        const who = r.person?.name ?? (r.department ? `${r.department.name}${r.role ?? ''}` : (r.role ?? ''));
        return `${who}（${r.address ? `${r.address}，` : ''}${r.reason}）`;
      }),
    };
    const content = renderNotice('notice-refused', params, to, noticeContext(p.campaignId));
    const alert = await deliver(alertKey, p.campaignId, to, content, p.unitId, p.at, 'notice-refused');
    problemLog((log) => log.setAlert(p.key, { key: alertKey, status: alert.status, sentTo: alert.sentTo }));
  }

  /** notice-problems.db, opened for one use: problems are rare, and the file stays closed between them. */
  function problemLog<T>(use: (log: NoticeProblemLog) => T): T {
    const log = new NoticeProblemLog(path.join(deps.dataDir, NOTICE_PROBLEMS_FILE));
    try {
      return use(log);
    } finally {
      log.close();
    }
  }

  /** The covering mail of a case document (监察通知, 移交表, 移送函), the document attached. */
  function caseDocumentMail(f: Omit<HandoverFacts, 'issuer' | 'documentNumber' | 'attachmentName'> & { doc: { number: string; html: string | null } }) {
    const attachmentName = `${f.doc.number}.html`;
    return {
      ...handoverNotice({ ...f, issuer: deps.programme.detachment.name, documentNumber: f.doc.number, attachmentName }),
      attachments: [{ filename: attachmentName, content: f.doc.html ?? '', contentType: 'text/html' }],
    };
  }

  /** The covering mail of the annual plan to the office above (role superior-contact), the plan attached. */
  function annualPlanMail(campaignId: string, doc: { number: string; title: string | null; html: string | null }) {
    const roster = rosterOf(campaignId);
    const contact = roster.people.find((x) => x.roles.includes('superior-contact'));
    const superior = roster.departments.find((d) => d.id === contact?.department)?.name ?? roleName('superior-contact');
    const attachmentName = `${doc.number}.html`;
    return {
      ...annualPlanNotice({ issuer: deps.programme.detachment.name, year: deps.programme.year, superior, planName: doc.title ?? deps.programme.name, documentNumber: doc.number, attachmentName }),
      attachments: [{ filename: attachmentName, content: doc.html ?? '', contentType: 'text/html' }],
    };
  }

  /**
   * The draw-time notice (activities/publication/draw-notice.ts) in <dataDir>/notices/<campaignId>.
   * Its time is the draw's: the last reveal of the drawing ceremony, else (ssj-draw/1) when the
   * activity was first scheduled, so a retry computes the same notice.
   */
  function writeNoticeOf(campaignId: string, record: DrawRecord, ceremony: CeremonyRecord | undefined): string {
    const c = store().requireCampaign(campaignId);
    let scheduledMs = Date.now();
    try {
      scheduledMs = ActivityContext.current().info.scheduledTimestampMs;
    } catch {
      // Called outside an activity (tests): the clock is all there is.
    }
    const voids = store()
      .ceremonies(campaignId)
      .filter((x) => x.outcome === 'void')
      .map((x) => x.ceremony as CeremonyRecord);
    const notice = buildDrawNotice({ workflowId: campaignId, year: c.year, quarter: c.quarter, drawnAt: drawTime(ceremony, scheduledMs), record, voidCeremonies: voids });
    return writeDrawNotice(drawNoticeDir(deps.dataDir, campaignId), notice).dir;
  }

  /** draw-notice.json as published at the draw, or null for a campaign drawn before notices existed. */
  function readDrawNotice(campaignId: string): string | null {
    try {
      return fs.readFileSync(path.join(drawNoticeDir(deps.dataDir, campaignId), DRAW_NOTICE_FILE), 'utf8');
    } catch {
      return null;
    }
  }

  /** The real 公示 package (activities/publication.ts), built from the store and the registry. */
  async function disclosurePackage(args: PublishArgs): Promise<{ location: string }> {
    const { writeDisclosurePackage } = await import('../publication');
    const roster = rosterOf(args.campaignId);
    const c = args.store.requireCampaign(args.campaignId);
    const asOf = c.frozenAsOf ?? args.publishedOn;
    const unitIds = new Set(args.record.assignments.map((a) => a.unit_id));
    for (const r of args.replacements) if (r.kind === 'unit') unitIds.add(r.replacement);
    const replaced = new Set(args.replacements.filter((r) => r.kind === 'unit').map((r) => r.unit_id));
    const states = unitsAt(unitIds, asOf);
    const units = [...unitIds].sort().map((id) => {
      const u = states.get(id);
      return { id, name: u?.name ?? id, address: u?.address ?? '' };
    });
    const results = new Map(args.store.results(args.campaignId).map((r) => [r.unitId, r]));
    const handlings = new Map(args.store.handlings(args.campaignId).map((h) => [h.unitId, h.handling]));
    const docs = new Map(args.store.documents(args.campaignId).map((d) => [d.unitId, d]));
    const deptName = (id: string) => roster.departments.find((d) => d.id === id)?.name ?? id;
    const outcomes = [...unitIds]
      .filter((id) => !replaced.has(id))
      .sort()
      .map((id) => {
        const r = results.get(id);
        const d = docs.get(id);
        return {
          unitId: id,
          checkedOn: r?.report.checkedOn ?? null,
          result: r?.report.result ?? null,
          handling: (handlings.get(id) ?? (r ? 'none' : 'not-inspected')) as HandlingKind,
          handledBy: d ? deptName(d.recipient) : null,
          documentNumber: d?.number ?? null,
        };
      });
    const out = await writeDisclosurePackage(
      {
        bureauName: args.programme.issuer,
        publisher: args.programme.detachment.name,
        softwareSource: args.programme.softwareSource ?? null,
        year: args.programme.year,
        quarter: args.quarter,
        publishedOn: args.publishedOn,
        departments: roster.departments.map((d) => ({ id: d.id, name: d.name })),
        units,
        outcomes,
        record: args.record,
        manifest: { dir: args.manifestDir },
        replacements: args.replacements,
        reasons: args.programme.reasons,
        ceremonies: ceremoniesOf(args.store, args.campaignId),
        drawNotice: readDrawNotice(args.campaignId),
      },
      args.outDir,
    );
    return { location: out.dir };
  }

  /** The calendar file of deps (read on each call, so an edit counts for the next campaign), or the bundled one. */
  function workingCalendar(): WorkingCalendar {
    if (!deps.calendarFile) return bundledCalendar;
    const text = fs.readFileSync(deps.calendarFile, 'utf8'); // an I/O error is retried
    let data: CalendarData;
    try {
      data = JSON.parse(text) as CalendarData;
    } catch (err) {
      throw refuse(`calendar file ${deps.calendarFile}: not JSON: ${(err as Error).message}`, 'CalendarRefused');
    }
    return WorkingCalendar.fromData(data, deps.calendarFile);
  }

  const settings = (): CampaignSettings => ({
    programmeId: deps.programme.id,
    year: deps.programme.year,
    drawByDayOfFirstMonth: deps.programme.deadlines.drawByDayOfFirstMonth,
    inspectionDaysBeforeDue: [...deps.programme.reminders.inspectionDaysBeforeDue],
    graceWorkingDays: deps.programme.escalation.graceWorkingDays,
    approvalWorkingDays: deps.programme.handover.approvalWorkingDays,
    publicationWorkingDays: deps.programme.deadlines.publicationWorkingDays,
    changeListReminderWorkingDays: CHANGE_LIST_REMINDER_WORKING_DAYS,
    witnessRevealHours: deps.programme.deadlines.witnessRevealHours ?? WITNESS_REVEAL_HOURS,
    annualPlanBy: { ...deps.programme.deadlines.annualPlanBy },
  });

  /** A rehearsal clock (a programme day in seconds) only on a worker that allows it: never in production. */
  const refuseRehearsalUnlessAllowed = (subject: string, clock: ResolvedClock | undefined, remedy: string): void => {
    if (clock?.mode !== 'rehearsal' || deps.allowRehearsalClock) return;
    throw refuse(
      `${subject}: it runs on a rehearsal clock (1 programme day = ${clock.secondsPerDay} s from ${clock.programmeStart}), ` +
        'which this worker does not allow: rehearsals run only on a worker started with SSJ_ALLOW_REHEARSAL_CLOCK=true (never in production); ' +
        remedy,
      'RehearsalClockRefused',
    );
  };

  return {
    /** The console's rows for one inspection (./projection.ts); names as the notices have them. */
    async projectInspection(p: InspectionProjection): Promise<{ written: number }> {
      if (!deps.consoleStore) return { written: 0 };
      const ctx = noticeContext(p.campaignId);
      return { written: await writeInspectionProjection(deps.consoleStore, { unitName: (id) => ctx.unit(id).name, departmentName: ctx.department }, p) };
    },
    /** The console's row for one campaign (./projection.ts). */
    async projectCampaign(p: CampaignProjection): Promise<{ written: boolean }> {
      return { written: deps.consoleStore ? await writeCampaignProjection(deps.consoleStore, p) : false };
    },
    /** Checks the campaign against the worker's programme, creates its store row and roster. */
    async prepareCampaign(a: {
      campaignId: string;
      programmeId: string;
      year: number;
      quarter: Quarter;
      rosterAsOf: string;
      /** The campaign's clock (campaigns started before the rehearsal gate do not pass it). */
      clock?: ResolvedClock;
    }): Promise<{
      settings: CampaignSettings;
      brigades: { id: string; name: string; members: string[] }[];
    }> {
      if (a.programmeId !== deps.programme.id || a.year !== deps.programme.year) {
        throw refuse(`this worker runs programme ${deps.programme.id} (${deps.programme.year}); the campaign asks for ${a.programmeId} (${a.year})`);
      }
      refuseRehearsalUnlessAllowed(`campaign ${a.campaignId}`, a.clock, 'start the quarter without --rehearsal, or on a rehearsal worker');
      store().ensureCampaign(a);
      const existing = store().campaign(a.campaignId)!;
      const roster = existing.manifestDigest && existing.roster ? existing.roster : rosterAt(a.rosterAsOf);
      if (!existing.manifestDigest) store().setRoster(a.campaignId, roster);
      const brigades = roster.departments
        .filter((d) => d.kind === 'direct-brigade' || d.kind === 'county-brigade')
        .map((d) => ({ id: d.id, name: d.name, members: roster.people.filter((p) => p.department === d.id).map((p) => p.id) }));
      return { settings: settings(), brigades };
    },

    /**
     * The working-day calendar from `from` to `to` (clipped to the years the calendar file holds),
     * read now: the campaign records it and does all its working-day arithmetic on it, so a later
     * holiday edit changes no running quarter.
     */
    async campaignCalendar(a: { campaignId: string; from: string; to: string }): Promise<CalendarSlice> {
      return workingCalendar().slice(a.from, a.to);
    },

    async recordChangeList(a: { campaignId: string; brigade: string; by: string; batchId: string | null; on: string }): Promise<void> {
      store().recordChangeList(a.campaignId, a);
    },

    /** Freezes the registries as of `asOf` into <dataDir>/campaigns/<id>/manifest. */
    async freezeCampaign(a: { campaignId: string; quarter: Quarter; asOf: string; spec?: DrawSpec }): Promise<{
      manifestDigest: string;
      counts: { units: number; inspectors: number; pools: number; quota: number };
      witnesses: WitnessRoster;
      warnings: string[];
    }> {
      const reg = openRegistry(deps.registryDb);
      let snapshot;
      try {
        snapshot = reg.snapshotAt(a.asOf);
      } finally {
        reg.close();
      }
      heartbeat('registry read');
      const dir = path.join(deps.dataDir, 'campaigns', safeWorkflowId(a.campaignId), 'manifest');
      // Campaigns started before ssj-draw/2 pass no spec: their witnesses give entropy, so a v1 manifest.
      const frozen = freezeToFolder({ snapshot, programme: deps.programme, quarter: a.quarter, dir, spec: a.spec ?? DRAW_SPEC_V1 });
      heartbeat('manifest written');
      const roster = rosterAt(a.asOf);
      store().setFrozen(a.campaignId, { manifestDir: dir, manifestDigest: frozen.manifestDigest, asOf: a.asOf, roster });
      const holding = (role: string) => roster.people.filter((p) => p.roles.includes(role)).map((p) => p.id);
      return {
        manifestDigest: frozen.manifestDigest,
        counts: { units: frozen.counts.units, inspectors: frozen.counts.inspectors, pools: frozen.counts.pools, quota: frozen.counts.quota },
        witnesses: { admin: holding('admin'), discipline: holding('discipline'), manager: holding('manager') },
        warnings: frozen.warnings,
      };
    },

    /** The witnessed draw (DRAW-SPEC). Deterministic: a retry recomputes the same record. */
    /**
     * The witnessed draw (DRAW-SPEC; ssj-draw/2 witnesses carry their commitment, salt and entropy,
     * and `ceremony` is the ceremony that drew, stored for publication).
     */
    async drawCampaign(a: { campaignId: string; witnesses: DrawWitness[]; batchSize: number; ceremony?: CeremonyRecord }): Promise<{
      seedCommitment: string;
      manifestDigest: string;
      drawn: number;
      departments: string[];
      batches: BatchPlan[];
    }> {
      const { manifest } = manifestOf(a.campaignId);
      heartbeat('manifest read');
      let record: DrawRecord;
      try {
        record = runDraw(manifest, a.witnesses.map((w) => recordWitness(w, manifest.params.spec)));
      } catch (err) {
        if (err instanceof DrawError) throw refuse(`the draw cannot be made: ${err.message}`, 'DrawFailed');
        throw err;
      }
      heartbeat('drawn');
      const commitment = seedCommitment(record.seed);
      store().setRecord(a.campaignId, record, commitment);
      if (a.ceremony) store().recordCeremony(a.campaignId, 'drawn', a.ceremony);
      writeNoticeOf(a.campaignId, record, a.ceremony);
      const perDept = new Map<string, number>();
      const deptOfPool = new Map(record.pools.map((p) => [p.pool_id, p.department]));
      for (const x of record.assignments) {
        const d = deptOfPool.get(x.pool_id)!;
        perDept.set(d, (perDept.get(d) ?? 0) + 1);
      }
      const batches: BatchPlan[] = [];
      for (const [department, n] of [...perDept].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        for (let chunk = 0; chunk * a.batchSize < n; chunk++) batches.push({ department, chunk, count: Math.min(a.batchSize, n - chunk * a.batchSize) });
      }
      return { seedCommitment: commitment, manifestDigest: record.manifest_digest, drawn: record.assignments.length, departments: [...perDept.keys()].sort(), batches };
    },

    /** Keeps a voided ssj-draw/2 ceremony (commitments, who failed, when) for publication. */
    async recordCeremony(a: { campaignId: string; ceremony: CeremonyRecord; outcome: 'void' | 'drawn' }): Promise<void> {
      store().requireCampaign(a.campaignId);
      store().recordCeremony(a.campaignId, a.outcome, a.ceremony);
    },

    /** The inspections of one batch: the department's assignments in walk order, one chunk. */
    async loadBatch(a: { campaignId: string; department: string; chunk: number; batchSize: number }): Promise<InspectionSeed[]> {
      const c = store().requireCampaign(a.campaignId);
      if (!c.record) throw refuse(`campaign ${a.campaignId} has no draw record`);
      const deptOfPool = new Map(c.record.pools.map((p) => [p.pool_id, p.department]));
      const mine = c.record.assignments.filter((x) => deptOfPool.get(x.pool_id) === a.department);
      return mine.slice(a.chunk * a.batchSize, (a.chunk + 1) * a.batchSize).map((x) => ({
        unitId: x.unit_id,
        poolId: x.pool_id,
        department: a.department,
        team: [...x.inspectors],
        method: x.method,
        ...(deps.keyring ? { workflowId: deps.keyring.inspectionWorkflowId(a.campaignId, x.unit_id) } : {}),
      }));
    },

    /** Who may act on an inspection: managers, and the department's kind and leaders. */
    async inspectionContext(a: { campaignId: string; department: string }): Promise<{
      managers: string[];
      departmentKind: string;
      departmentName: string;
      agencies: string[];
      /** The programme's reason codes and labels: validators check messages against them. */
      reasons: ReasonCodes;
    }> {
      const roster = rosterOf(a.campaignId);
      const dep = roster.departments.find((d) => d.id === a.department);
      return {
        managers: roster.people.filter((p) => p.roles.includes('manager')).map((p) => p.id),
        departmentKind: dep?.kind ?? 'section',
        departmentName: dep?.name ?? a.department,
        agencies: roster.departments.filter((d) => d.kind === 'agency').map((d) => d.id),
        reasons: deps.programme.reasons,
      };
    },

    /** Who may resume a parked step: the frozen roster's detachment leaders and admins. */
    async operatorsOf(a: { campaignId: string }): Promise<string[]> {
      return rosterOf(a.campaignId)
        .people.filter((p) => p.roles.some((r) => (OPERATOR_ROLES as readonly string[]).includes(r)))
        .map((p) => p.id);
    },

    /**
     * The leaders in charge (role manager) in the registry as of `asOf`: asked only when the
     * frozen roster has none, so an approval can be decided once the registry names one.
     */
    async managersAsOf(a: { campaignId: string; unitId: string; asOf: string }): Promise<string[]> {
      const managers = rosterAt(a.asOf).people.filter((p) => p.roles.includes('manager')).map((p) => p.id);
      if (managers.length === 0) {
        throw refuse(
          `unit ${a.unitId}: no leader in charge (role manager) in the registry as of ${a.asOf} to decide the hand-over approval; give a person the role manager in the registry, then resume the inspection`,
          NEEDS_DATA,
        );
      }
      return managers;
    },

    /**
     * Renders and sends one notice, best-effort: a refused or missing address is recorded and
     * alerted, never thrown; only an SMTP outage is (retryable), and the outbox sends it once later.
     */
    async sendNotice(a: { key: string; campaignId: string; kind: NoticeKind; to: Recipients; params: NoticeParams; unitId?: string; at: string }): Promise<NoticeDelivery> {
      const content = renderNotice(a.kind, a.params, a.to, noticeContext(a.campaignId));
      return deliver(a.key, a.campaignId, a.to, content, a.unitId ?? null, a.at, a.kind);
    },

    /** DRAW-SPEC section 6, inspector kind: appended once per key. */
    async replaceInspector(a: { key: string; campaignId: string; poolId: string; unitId: string; inspectorId: string; reason: string; approvedBy: string; at: string }): Promise<{
      seq: number;
      replacement: string;
      team: string[];
    }> {
      requireReasonCode(a.reason, a.unitId);
      const { entry, assignments } = appendReplacement(a, { kind: 'inspector', pool_id: a.poolId, unit_id: a.unitId, inspector_id: a.inspectorId }, 'inspector');
      const team = assignments.find((x) => x.unit_id === a.unitId)?.inspectors ?? [];
      return { seq: entry.seq, replacement: entry.replacement, team: [...team] };
    },

    /** DRAW-SPEC section 6, unit kind. */
    async replaceUnit(a: { key: string; campaignId: string; poolId: string; unitId: string; reason: string; approvedBy: string; at: string }): Promise<{
      seq: number;
      replacement: string;
      team: string[];
      method: 'onsite' | 'offsite';
      /** The replacement's opaque inspection workflow id (deps.keyring). */
      workflowId?: string;
    }> {
      requireReasonCode(a.reason, a.unitId);
      const { entry, assignments } = appendReplacement(a, { kind: 'unit', pool_id: a.poolId, unit_id: a.unitId }, 'unit');
      const asg = assignments.find((x) => x.unit_id === entry.replacement);
      return {
        seq: entry.seq,
        replacement: entry.replacement,
        team: [...(asg?.inspectors ?? [])],
        method: asg?.method ?? 'onsite',
        ...(deps.keyring ? { workflowId: deps.keyring.inspectionWorkflowId(a.campaignId, entry.replacement) } : {}),
      };
    },

    async recordResult(a: { campaignId: string; unitId: string; report: ResultReport; onTime: boolean; at: string }): Promise<void> {
      store().recordResult(a.campaignId, a.unitId, a.report, a.onTime, a.at);
    },

    async recordHandling(a: { campaignId: string; unitId: string; handling: string; detail: unknown }): Promise<void> {
      store().setHandling(a.campaignId, a.unitId, a.handling, a.detail);
    },

    /** Keeps a person's internal note beside a reason code, once per key: staff only, never published. */
    async recordNote(a: { key: string; campaignId: string; unitId: string | null; kind: string; reasonCode: string | null; note: string; by: string; at: string }): Promise<void> {
      store().recordNote(a);
    },

    /**
     * Issues a case document once per key: a section's findings to the brigade of the unit's area
     * (county brigade: 监察通知; direct brigade: 移交表), or a referral (移送) to `report.result.referTo`.
     * Allocates the number in the store, then sends it (the notice key is the document key).
     */
    async issueCaseDocument(a: {
      key: string;
      campaignId: string;
      unitId: string;
      department: string;
      what: 'handover' | 'referral';
      report: ResultReport;
      method: 'onsite' | 'offsite';
      approval: { by: string; on: string } | null;
      issuedOn: string;
    }): Promise<{ kind: 'supervision-notice' | 'transfer-form' | 'referral'; number: string; to: string }> {
      const c = store().requireCampaign(a.campaignId);
      const roster = rosterOf(a.campaignId);
      if (a.report.result.outcome !== 'problems-found') throw refuse(`unit ${a.unitId}: only findings are handed over or referred`);
      // The unit as the registry stands on the issue date, so a corrected area or address counts
      // when a parked hand-over is resumed (the draw used the frozen registry; a document need not).
      const unit = unitAt(a.unitId, a.issuedOn) ?? unitAt(a.unitId, c.frozenAsOf ?? a.issuedOn);
      if (!unit?.address?.trim()) {
        throw refuse(`unit ${a.unitId}: the registry has no address for it, which the ${a.what} document needs; add the unit's address in the registry, then resume the inspection`, NEEDS_DATA);
      }
      let recipient: Roster['departments'][number] | undefined;
      let kind: 'supervision-notice' | 'transfer-form' | 'referral';
      if (a.what === 'referral') {
        const to = a.report.result.referTo;
        recipient = roster.departments.find((d) => d.id === to);
        if (!recipient) throw refuse(`unit ${a.unitId}: the agency ${String(to)} to refer to is not in the registry's departments; add it to the registry, then resume the inspection`, NEEDS_DATA);
        kind = 'referral';
      } else {
        const area = unit?.jurisdiction;
        recipient = roster.departments.find((d) => (d.kind === 'county-brigade' || d.kind === 'direct-brigade') && d.jurisdiction === area);
        if (!recipient) {
          const covered = roster.departments.filter((d) => d.kind === 'county-brigade' || d.kind === 'direct-brigade').map((d) => `${d.id}: ${d.jurisdiction}`);
          throw refuse(
            `unit ${a.unitId}: no brigade covers its area ${String(area)} (brigades of the frozen roster: ${covered.join(', ') || 'none'}); correct the unit's area (jurisdiction) in the registry, then resume the inspection`,
            NEEDS_DATA,
          );
        }
        kind = recipient.kind === 'county-brigade' ? 'supervision-notice' : 'transfer-form';
      }
      const issuer = roster.departments.find((d) => d.id === a.department);
      const inspectors = a.report.present.map((id) => {
        const p = roster.people.find((x) => x.id === id);
        return { name: p?.name ?? id, certificateNo: p?.certificateNo ?? '（未登记）' };
      });
      const approver = a.approval ? (roster.people.find((p) => p.id === a.approval!.by)?.name ?? a.approval.by) : null;
      const year = Number(a.issuedOn.slice(0, 4));
      const doc = store().allocateDocument(
        a.key,
        { kind, year, campaignId: a.campaignId, unitId: a.unitId, recipient: recipient.id },
        (seq) => formatDocumentNumber(kind, year, seq),
        (number) => {
          const input: CaseDocumentInput = {
            number,
            issuer: { name: deps.programme.detachment.name, office: issuer?.name },
            recipient: { name: recipient!.name },
            unit: { id: a.unitId, name: unit?.name ?? a.unitId, address: unit?.address ?? '' },
            campaign: `${c.year}年${chineseQuarter(c.quarter)}污染源日常监管“双随机、一公开”抽查`,
            checkedOn: a.report.checkedOn,
            method: a.method,
            inspectors,
            findings: a.report.result.outcome === 'problems-found' ? a.report.result.description : '',
            legalBasis: ['《中华人民共和国环境保护法》'],
            requestedAction: kind === 'referral' ? '请依法调查处理，并将处理结果函告我支队。' : '请依法调查处理，并于处理完毕后反馈结果。',
            replyBy: null,
            approval: a.approval && approver ? { by: approver, on: a.approval.on } : null,
            evidence: a.report.evidence,
            issuedOn: a.issuedOn,
          };
          const d: OfficialDocument = kind === 'supervision-notice' ? supervisionNotice(input) : kind === 'transfer-form' ? transferForm(input) : referralLetter(input);
          return { title: d.title, html: d.html, text: d.text };
        },
      );
      await deliver(
        a.key,
        a.campaignId,
        { departments: [recipient.id], departmentRoles: { department: recipient.id, roles: ['brigade-leader'] } },
        caseDocumentMail({
          kind,
          doc,
          receiver: recipient.name,
          unit: { code: a.unitId, name: unit?.name ?? a.unitId },
          findings: a.report.result.outcome === 'problems-found' ? a.report.result.description : '',
          approval: a.approval && approver ? { by: approver, on: a.approval.on } : null,
        }),
        a.unitId,
        a.issuedOn,
        kind,
      );
      return { kind, number: doc.number, to: recipient.id };
    },

    async saveStats(a: { campaignId: string; stats: unknown }): Promise<void> {
      store().setStats(a.campaignId, a.stats);
    },

    /** Writes the disclosure package (record, manifest, replacements, results) once the checks end. */
    async publishCampaign(a: { campaignId: string; quarter: Quarter; publishedOn: string }): Promise<{ location: string; publishedOn: string }> {
      const c = store().requireCampaign(a.campaignId);
      const prior = c.publication as { location: string; publishedOn: string } | null;
      if (prior) return prior;
      const { record, dir } = manifestOf(a.campaignId);
      if (!record) throw refuse(`campaign ${a.campaignId} has no draw record to publish`);
      const outDir = path.join(deps.publicationDir ?? path.join(deps.dataDir, 'publication'), safeWorkflowId(a.campaignId));
      const publish = deps.publish ?? disclosurePackage;
      heartbeat('publishing');
      const { location } = await publish({
        campaignId: a.campaignId,
        programme: deps.programme,
        quarter: a.quarter,
        store: store(),
        manifestDir: dir,
        record,
        replacements: store().replacements(a.campaignId),
        outDir,
        publishedOn: a.publishedOn,
      });
      const publication = { location, publishedOn: a.publishedOn };
      store().setPublication(a.campaignId, publication);
      return publication;
    },

    /** Files the year's plan (Annex 1 + 2) with the superior office, once per key. */
    async fileAnnualPlan(a: {
      key: string;
      programmeId: string;
      year: number;
      issuedOn: string;
      /** The plan workflow's clock (plans started before the rehearsal gate do not pass it). */
      clock?: ResolvedClock;
    }): Promise<{ number: string; sentTo: string[] }> {
      const p = deps.programme;
      if (a.programmeId !== p.id || a.year !== p.year) throw refuse(`this worker runs programme ${p.id} (${p.year}), not ${a.programmeId} (${a.year})`);
      refuseRehearsalUnlessAllowed(`annual plan ${a.programmeId} ${a.year}`, a.clock, 'start the plan on the real clock, or on a rehearsal worker');
      const campaignId = `annual-plan-${p.id}-${p.year}`;
      store().ensureCampaign({ campaignId, programmeId: p.id, year: p.year, quarter: 0 });
      if (!store().campaign(campaignId)!.roster) store().setRoster(campaignId, rosterAt(a.issuedOn));
      const doc = store().allocateDocument(
        a.key,
        { kind: 'annual-plan', year: a.year, campaignId, unitId: null, recipient: 'superior-contact' },
        (seq) => formatDocumentNumber('annual-plan', a.year, seq),
        (number) => {
          const d = annualPlan(annualPlanFromProgramme(p, { number, issuedOn: a.issuedOn }));
          return { title: d.title, html: d.html, text: d.text };
        },
      );
      const sent = await deliver(
        a.key,
        campaignId,
        { roles: ['superior-contact'] },
        annualPlanMail(campaignId, doc),
        null,
        a.issuedOn,
        'annual-plan',
      );
      return { number: doc.number, sentTo: sent.sentTo };
    },

    async campaignSettings(): Promise<CampaignSettings> {
      return settings();
    },
  };
}

export type CampaignActivities = ReturnType<typeof buildActivities>;

/**
 * The campaign activities for a worker: `Worker.create({ activities: createActivities(deps) })`.
 * `close()` (not enumerable, so not registered as an activity) closes the campaign store.
 */
export function createActivities(deps: CampaignActivityDeps): CampaignActivities & { readonly close: () => void } {
  let closeStore: () => void = () => undefined;
  const activities = withTypedRefusals(buildActivities(deps, (c) => (closeStore = c)));
  Object.defineProperty(activities, 'close', { value: () => closeStore(), enumerable: false });
  return activities as CampaignActivities & { readonly close: () => void };
}

/** The campaign's stored witness ceremonies, as the disclosure package publishes them. */
export function ceremoniesOf(store: CampaignStore, campaignId: string): CeremonyEntry[] {
  return store.ceremonies(campaignId).map((c) => ({ outcome: c.outcome, ceremony: c.ceremony as CeremonyRecord }));
}
