// Notices, the cross-cutting side effect of every step: a notice is rendered from the frozen roster
// and registry (../campaign/notices.ts), recorded as an event, sent through the outbox once per key,
// and a recipient who cannot be reached is recorded and alerted to operations — never thrown.
import { isEmailAddress, MailRejectedError, type Notice, type SendNoticeResult } from '../../mail/mailer';
import type { RefusedAddress } from '../../stores/outbox';
import { NoticeProblemLog, type DeliveryStatus, type NoticeProblem, type RefusedRecipient } from '../../stores/notice-problems';
import { roleName, renderNotice, type NoticeKind, type NoticeParams } from '../../mail/notices';
import type { Roster } from '../../stores/campaign-store';
import type { NoticeDelivery, Recipients, StepContext } from './context';

/** A notice's content as the mailer takes it. */
export type NoticeContent = { subject: string; text: string; html?: string; attachments?: Notice['attachments'] };

export type Deliver = (key: string, campaignId: string, to: Recipients, content: NoticeContent, unitId: string | null, at: string, kind: string) => Promise<NoticeDelivery>;

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

/** The notice sender of one worker: `deliver` sends best-effort and records what could not be delivered. */
export function noticeSender(ctx: StepContext): { deliver: Deliver } {
  /**
   * Sends a notice to whoever of `to` can be reached, best-effort. A recipient refused for good, a
   * missing or malformed address, or nobody to send to is recorded once per key in the
   * shared store's notice-problem log (stores/notice-problems.ts) and alerted to operations; the quarter goes on. Only an outage of the SMTP
   * server (MailUnavailable, MailBusy) is thrown, for Temporal to retry; the outbox then sends once.
   */
  async function deliver(
    key: string,
    campaignId: string,
    to: Recipients,
    content: NoticeContent,
    unitId: string | null,
    at: string,
    kind: string,
  ): Promise<NoticeDelivery> {
    const roster = await ctx.rosterOf(campaignId);
    const { addresses, unreachable } = resolve(roster, to);
    const emails = addresses.map((a) => a.address);
    // The event row says the notice was due, even when nobody on the list has an address.
    const missing = unreachable.map((r) => r.person?.id ?? r.department?.id ?? r.address ?? r.role ?? '');
    await (await ctx.store()).recordEvent({ key, campaignId, kind, unitId, detail: { to, emails, unreachable: missing, subject: content.subject }, at });
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
      const r = ((await ctx.deps.mail.sendNotice({ key, to: addresses.map((a) => a.address), ...content })) ?? {}) as Partial<SendNoticeResult>;
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
    const log = new NoticeProblemLog(await ctx.database());
    await log.record(p);
    if (p.kind === 'notice-refused' || (await log.get(p.key))?.alert != null) return;
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
    const content = renderNotice('notice-refused', params, to, await ctx.noticeContext(p.campaignId, p.unitId ? [p.unitId] : []));
    const alert = await deliver(alertKey, p.campaignId, to, content, p.unitId, p.at, 'notice-refused');
    await log.setAlert(p.key, { key: alertKey, status: alert.status, sentTo: alert.sentTo });
  }

  return { deliver };
}

export function noticeActivities(ctx: StepContext, deliver: Deliver) {
  return {
    /**
     * Renders and sends one notice, best-effort: a refused or missing address is recorded and
     * alerted, never thrown; only an SMTP outage is (retryable), and the outbox sends it once later.
     */
    async sendNotice(a: { key: string; campaignId: string; kind: NoticeKind; to: Recipients; params: NoticeParams; unitId?: string; at: string }): Promise<NoticeDelivery> {
      const content = renderNotice(a.kind, a.params, a.to, await ctx.noticeContext(a.campaignId, [a.unitId, a.params.unitId].filter((id): id is string => typeof id === 'string')));
      return deliver(a.key, a.campaignId, a.to, content, a.unitId ?? null, a.at, a.kind);
    },
  };
}
