// The console server (工作台): Fastify 5, server-rendered Chinese pages that work without
// JavaScript (htmx, served from /static, only improves them), a strict CSP (no inline script or
// style, nothing from elsewhere), sessions in the store, CSRF on every POST, rate-limited sign-in
// with lockout, and an audit entry for every sign-in, sign-out, refusal and action.
import * as path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { beijingDate } from '../domain/calendar';
import type { Account, ConsoleStore } from '../stores/console-store';
import { StoreConflictError } from '../stores/console-store';
import { anonymousCsrf, csrfOk, loadSession, POLLING_ROUTES, safeNext, sha256, startSession, SESSION_COOKIE, cookieOptions } from './auth';
import type { People } from './people';
import { standingOf, type Unusable } from './standing';
import { LOGIN_PATTERN } from './accounts';
import { hashPassword, passwordProblem, verifyAtFullCost, weakerThanCurrent } from './passwords';
import { limitKey } from './client-address';
import type { ConsoleSettings } from './settings';
import { registerOidc } from './oidc';
import { registerApprovals } from './approvals';
import type { ConsoleDocuments } from './documents';
import { chineseDateTime } from '../domain/documents/html';
import { codecCsrfExempt, registerCodec, type CodecEndpointOptions } from './codec';
import { registerInspections, type InspectionDeps } from './inspection';
import { registerCeremony, witnessTasks } from './ceremony';
import { brigadeDirectory, changeListTasks, registerChangeList } from './change-list';
import { registerResume } from './resume';
import { registerNoticeLinks } from './notice-links';
import { registerOperationsPages, type OperationsDeps } from './quarter-pages';
import { registerRegistries } from './registries';
import { registerAccounts } from './accounts-page';
import type { RegistryStore } from '../stores/registry-store';
import type { Client } from '@temporalio/client';
import type { ReasonCodeEntry } from '../domain/programme';
import { auditPage } from './views/audit';
import { csrfRefusedPage, endedCause, invitationPage, loginPage, problemPage, unusableAccountText, unusableInvitationText } from './views/auth-pages';
import { homePage } from './views/home';
import { rehearsalTodays } from './quarter-figures';
import { roleLabel, type Viewer } from './views/layout';
import { taskListCache } from './task-list-cache';

/** The longest audit target kept (as the user agent). */
export const AUDIT_TARGET_MAX = 300;
/** Refusals anyone can cause without signing in: at most one entry per address and minute each (see the audit helper). */
const ANONYMOUS_REFUSALS: ReadonlySet<string> = new Set(['csrf.refused', 'codec.refused', 'invitation.refused']);

export interface ConsoleDeps {
  settings: ConsoleSettings;
  store: ConsoleStore;
  /** A registry person's name, or null when unknown (display only). */
  personName: (personId: string) => Promise<string | null>;
  /**
   * Today's registry persons (console/people.ts registryPeople): an account acts only with the
   * granted roles its person still holds, and not at all once the person is gone, inactive or holds
   * none of them (checked at every signed-in request and at sign-in). null only for a console with
   * no registry to consult (tests of other pages, the bench): the roles granted then stand as
   * stored, since granting checked them against the registry and there is nothing newer to check
   * them against. serveConsole always passes the registry's.
   */
  people: People | null;
  /** Temporal, with the payload codec (config/temporal.ts ssjClient): the approvals need it. */
  temporal?: Client | null;
  /** The programme's rejection reason codes (config/programme.json reasons.rejection). */
  rejectionReasons?: readonly ReasonCodeEntry[];
  /** The inspection page's registry facts and programme lists (needs `temporal`). */
  inspections?: InspectionDeps | null;
  /** The registries (名录管理: upload with preview, state at a date, history); without it the page offers the templates only. */
  registry?: RegistryStore | null;
  /** The operations pages (quarter, year, publication): the programme, task queue and data folder (needs `temporal`). */
  operations?: OperationsDeps | null;
  /** The payload codec endpoint (/codec/encode|decode) for the Web UI: the keyring and its origins. */
  codec?: CodecEndpointOptions | null;
  /** Issued official documents (HTML and PDF) for the approval and inspection pages (needs `temporal`). */
  documents?: ConsoleDocuments | null;
  /** Keep the task lists read, until their versions move (console/task-list-cache.ts); default on. The bench turns it off to measure the uncached reads. */
  taskListCache?: boolean;
  /** The clock (tests move it to check the idle timeout and lockout expiry). */
  now?: () => Date;
  logger?: boolean;
}

export function viewerOf(req: FastifyRequest): Viewer | null {
  const s = req.signedIn;
  return s ? { name: s.name, personId: s.account.personId, roles: s.roles, csrfToken: s.session.csrfSecret } : null;
}

export async function buildConsole(deps: ConsoleDeps): Promise<FastifyInstance> {
  const { settings, store } = deps;
  const now = deps.now ?? (() => new Date());
  // Behind the bureau's reverse proxy every request comes from the proxy: only the configured proxies
  // may name the client (X-Forwarded-For), so the rate limits and the audit log see the person's address.
  const app = Fastify({ logger: deps.logger ?? false, trustProxy: settings.trustProxy.length ? settings.trustProxy : false, bodyLimit: 1024 * 1024 });

  await app.register(cookie);
  await app.register(formbody);
  // Uploads (registry files, evidence) are read part by part by their own routes, each with its
  // own limits; these are the ceilings for all of them. CSRF: a multipart form sends its token
  // as the first field, before any file, and the route checks it before reading a file.
  await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 20, fields: 200, fieldSize: 64 * 1024, parts: 240 } });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        // The hand-over approval frames its document preview, served by the console (sandboxed).
        frameSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    hsts: settings.secureCookies,
    referrerPolicy: { policy: 'same-origin' },
  });
  // Counted per client address; @fastify/rate-limit's default key counts an IPv6 client by its /64
  // (tests/console-auth.test.ts pins that), as ./client-address.ts does for the audit limit below.
  await app.register(rateLimit, { global: false });
  await app.register(fastifyStatic, { root: path.join(__dirname, 'static'), prefix: '/static/', decorateReply: false });
  await app.register(fastifyStatic, {
    root: path.dirname(require.resolve('htmx.org/dist/htmx.min.js')),
    prefix: '/static/htmx/',
    decorateReply: false,
    allowedPath: (p) => p === '/htmx.min.js',
  });
  app.get('/static/htmx.min.js', (_req, reply) => reply.redirect('/static/htmx/htmx.min.js', 301));

  // Refusals of anonymous requests cost their sender nothing, and the log is append-only: without a
  // limit anyone could fill it. Of each such action, one entry per address a minute is written, the
  // next one saying how many were left out. In memory, per process (a restart forgets it: at most
  // one more entry per address); once it holds many, entries over a minute old are swept out, at
  // most once a minute (so a flood from many addresses costs no scan per request).
  const refusalsWritten = new Map<string, { at: number; unrecorded: number }>();
  let refusalsSwept = 0;
  const anonymousRefusalDue = (req: FastifyRequest, action: string, at: number): { unrecordedBefore?: number } | null => {
    const key = `${action} ${limitKey(req.ip)}`;
    const last = refusalsWritten.get(key);
    if (last && at - last.at < 60_000) {
      last.unrecorded++;
      return null;
    }
    if (refusalsWritten.size >= 10_000 && at - refusalsSwept >= 60_000) {
      refusalsSwept = at;
      for (const [k, v] of refusalsWritten) if (at - v.at >= 60_000) refusalsWritten.delete(k);
    }
    refusalsWritten.set(key, { at, unrecorded: 0 });
    return last?.unrecorded ? { unrecordedBefore: last.unrecorded } : {};
  };
  const audit = async (req: FastifyRequest, action: string, target: string | null = null, detail: Record<string, unknown> = {}, who?: Pick<Account, 'id' | 'personId'> | null) => {
    const account = who === undefined ? (req.signedIn?.account ?? null) : who;
    const at = now();
    if (account === null && ANONYMOUS_REFUSALS.has(action)) {
      const due = anonymousRefusalDue(req, action, at.getTime());
      if (!due) return;
      detail = { ...detail, ...due };
    }
    await store.appendAudit({
      accountId: account?.id ?? null,
      personId: account?.personId ?? null,
      action,
      // A target may come from the request (a refused POST's URL, up to the header limit): kept to a readable length.
      target: target === null ? null : target.slice(0, AUDIT_TARGET_MAX),
      detail,
      at,
      ip: req.ip,
      userAgent: req.headers['user-agent']?.slice(0, 300) ?? null,
    });
  };
  const html = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.decorateRequest('signedIn', null);
  app.decorateRequest('sessionExpired', null);
  app.decorateRequest('sessionExpiry', null);
  app.decorateRequest('sessionEnded', null);
  const sessionPeople = { name: deps.personName, person: deps.people ? (id: string) => deps.people!.person(id) : null };
  /** Why an account (or an invitation) cannot be used today, or null (always null without a registry to consult: ConsoleDeps.people). */
  const unusableToday = async (grant: { personId: string; roles: readonly string[] }): Promise<Unusable | null> => (deps.people ? standingOf(grant.roles, await deps.people.person(grant.personId)).unusable : null);
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/static/') || req.url === '/healthz') return;
    // A page polling itself is no sign that anybody is there (auth.ts POLLING_ROUTES).
    const polling = req.method === 'GET' && POLLING_ROUTES.has(req.routeOptions.url ?? '');
    req.signedIn = await loadSession(store, settings, req, now(), sessionPeople, !polling);
    if (req.sessionExpired) await audit(req, 'session.expired', req.sessionExpired.login, { reason: req.sessionExpiry }, req.sessionExpired);
    if (req.sessionEnded) await audit(req, 'session.ended', req.sessionEnded.account.login, { reason: req.sessionEnded.reason }, req.sessionEnded.account);
  });
  // Every POST carries a CSRF token; a refusal is audited and changes nothing.
  app.addHook('preHandler', async (req, reply) => {
    // A multipart route that says so checks the token itself, as the form's first part, before reading any file.
    const csrfInFirstPart = req.isMultipart() && (req.routeOptions.config as { csrfInFirstPart?: boolean }).csrfInFirstPart === true;
    if (req.method !== 'POST' || csrfInFirstPart || csrfOk(req) || (deps.codec && codecCsrfExempt(req, deps.codec.corsOrigins))) return;
    await audit(req, 'csrf.refused', req.url);
    return html(reply, csrfRefusedPage(viewerOf(req)), 403);
  });

  // htmx follows a redirect inside its XHR and would show the new page under the old address:
  // for htmx requests, a redirect becomes HX-Redirect, a full navigation (and the right URL).
  app.addHook('onSend', async (req, reply, payload) => {
    const location = reply.getHeader('location');
    if (req.headers['hx-request'] === 'true' && typeof location === 'string' && reply.statusCode >= 300 && reply.statusCode < 400) {
      reply.code(200).removeHeader('location').header('hx-redirect', location);
    }
    return payload;
  });

  /** The signed-in person, or a redirect to sign-in (remembering where they were going). */
  const requireSignIn = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (req.signedIn) return true;
    const next = encodeURIComponent(req.url);
    const why = req.sessionEnded ? `&ended=${endedCause(req.sessionEnded.reason)}` : req.sessionExpired ? `&expired=${req.sessionExpiry === 'lifetime' ? 'lifetime' : '1'}` : '';
    await reply.redirect(`/login?next=${next}${why}`, 303);
    return false;
  };
  const requireRole = async (req: FastifyRequest, reply: FastifyReply, roles: readonly string[]): Promise<boolean> => {
    if (!(await requireSignIn(req, reply))) return false;
    if (req.signedIn!.roles.some((r) => roles.includes(r))) return true;
    await audit(req, 'role.refused', req.url, { needs: roles });
    await html(reply, problemPage('无权访问', `此页面仅限${roles.map(roleLabel).join('或')}使用。`, viewerOf(req)), 403);
    return false;
  };

  app.get('/healthz', (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));

  // ---- sign-in ------------------------------------------------------------------------------
  app.get('/login', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (req.signedIn) return reply.redirect(safeNext(q.next), 303);
    // Opened straight after the registry ended this browser's session, or sent here by a page that found it ended.
    const ended = req.sessionEnded ? endedCause(req.sessionEnded.reason) : q.ended === 'person' || q.ended === 'roles' ? q.ended : null;
    return html(
      reply,
      loginPage({
        csrf: anonymousCsrf(settings, req, reply),
        next: safeNext(q.next),
        oidc: settings.oidc !== null,
        notice:
          q.expired === 'lifetime'
            ? `登录已满${settings.sessionHours}小时，为保障安全已自动退出，请重新登录。`
            : q.expired
              ? '长时间未操作，已自动退出，请重新登录。'
              : q.invited ? '账户已启用，请用刚设置的登录名和密码登录。' : q.out ? '已安全退出。' : null,
        error: ended
          ? unusableAccountText(ended)
          : q.oidc === 'unknown' ? '统一身份认证成功，但本系统没有与之对应的账户，请联系系统管理员。' : q.oidc === 'failed' ? '统一身份认证未完成，请重试。' : null,
      }),
    );
  });

  app.post('/login', { config: { rateLimit: { max: settings.loginPerMinute, timeWindow: 60_000 } } }, async (req, reply) => {
    const body = req.body as Record<string, unknown>;
    const login = typeof body.login === 'string' ? body.login.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    const again = (error: string, code: number) =>
      html(reply, loginPage({ csrf: anonymousCsrf(settings, req, reply), error, login, next, oidc: settings.oidc !== null }), code);
    const at = now();
    // Every attempt is counted BEFORE its password is checked, in one atomic statement (the store's
    // recordLoginFailure), and cleared only on success: concurrent guesses each get their own
    // number, so no more than lockoutFailures of them are ever verified. An attempt numbered past
    // the limit while the lock holds came after the lock engaged: refused unverified, right password or not.
    const t = LOGIN_PATTERN.test(login) ? await store.recordLoginFailure(login, at, { maxFailures: settings.lockoutFailures, lockoutMs: settings.lockoutMinutes * 60_000 }) : null;
    if (t?.lockedUntil && t.lockedUntil > at && t.failures > settings.lockoutFailures) {
      await audit(req, 'login.refused-locked', login, { lockedUntil: t.lockedUntil.toISOString() }, null);
      return again(`该账户因多次密码错误已被锁定，请于${beijingTime(t.lockedUntil)}后再试。`, 429);
    }
    const account = t ? await store.getAccountByLogin(login) : null;
    // Unknown logins cost the same scrypt time as known ones: no login enumeration by timing.
    const ok = (await verifyAtFullCost(password, account?.passwordHash ?? null)) && account !== null && !account.disabled && account.passwordHash !== null;
    // An account the registry no longer backs is refused with the reason WHATEVER the password, so
    // the answer tells a guesser nothing about it (only that this login's person is gone, and no
    // password opens it now). The attempt was counted above and is not cleared: lockout is unchanged.
    const unusable = t && account && !account.disabled && account.passwordHash !== null ? await unusableToday(account) : null;
    if (unusable) {
      await audit(req, 'login.refused-unusable', login, { reason: unusable, failures: t!.failures, passwordOk: ok }, null);
      if (t!.lockedUntil && t!.lockedUntil > at) await audit(req, 'login.locked', login, { lockedUntil: t!.lockedUntil.toISOString() }, null);
      return again(unusableAccountText(endedCause(unusable)), 403);
    }
    if (!ok) {
      if (t) {
        await audit(req, 'login.failed', login, { failures: t.failures, knownLogin: account !== null }, null);
        if (t.lockedUntil && t.lockedUntil > at) {
          await audit(req, 'login.locked', login, { lockedUntil: t.lockedUntil.toISOString() }, null);
          return again(`密码连续错误${t.failures}次，账户已锁定，请于${beijingTime(t.lockedUntil)}后再试。`, 429);
        }
      } else {
        await audit(req, 'login.failed', login.slice(0, 60), { malformed: true }, null);
      }
      return again('登录名或密码不正确。', 401);
    }
    await store.clearLoginFailures(login);
    // A hash made with lower scrypt costs than today's is made again now, while the password is at hand.
    if (weakerThanCurrent(account.passwordHash!)) await store.updateAccount(account.id, { passwordHash: await hashPassword(password), now: at });
    await startSession(store, settings, req, reply, account, at);
    await audit(req, 'login.ok', login, { method: 'password' }, account);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    const value = req.cookies[SESSION_COOKIE];
    if (req.signedIn) await audit(req, 'logout');
    if (value) await store.deleteSession(sha256(value));
    reply.clearCookie(SESSION_COOKIE, cookieOptions(settings, 'lax'));
    return reply.redirect('/login?out=1', 303);
  });

  // ---- invitations: the invitee picks a login and sets a password, once ----------------------
  const invitationFor = async (token: string) => {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const inv = await store.getInvitation(sha256(token));
    return inv && inv.usedAt === null && inv.expiresAt > now() ? inv : null;
  };
  const invalidInvitation = async (req: FastifyRequest, reply: FastifyReply) => {
    await audit(req, 'invitation.refused', null, {}, null);
    return html(reply, problemPage('邀请链接无效', '此邀请链接不存在、已使用或已过期。请联系系统管理员重新发送邀请。', null), 410);
  };
  // An invitation whose person left, or no longer holds any of its roles, would make an account
  // that cannot sign in: refused while so (it stays open; the registry may be corrected).
  const unusableInvitation = async (req: FastifyRequest, reply: FastifyReply, inv: { personId: string; roles: string[] }): Promise<boolean> => {
    const unusable = await unusableToday(inv);
    if (!unusable) return false;
    await audit(req, 'invitation.refused-unusable', inv.personId, { reason: unusable }, null);
    await html(reply, problemPage('邀请不能使用', unusableInvitationText(endedCause(unusable)), null), 403);
    return true;
  };
  app.get('/invite/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    const inv = await invitationFor(token);
    if (!inv) return invalidInvitation(req, reply);
    if (await unusableInvitation(req, reply, inv)) return;
    return html(
      reply,
      invitationPage({ csrf: anonymousCsrf(settings, req, reply), token, personId: inv.personId, personName: (await deps.personName(inv.personId)) ?? inv.personId, roles: inv.roles.map(roleLabel).join('、') }),
    );
  });
  app.post('/invite/:token', { config: { rateLimit: { max: settings.loginPerMinute, timeWindow: 60_000 } } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const inv = await invitationFor(token);
    if (!inv) return invalidInvitation(req, reply);
    if (await unusableInvitation(req, reply, inv)) return;
    const body = req.body as Record<string, unknown>;
    const login = typeof body.login === 'string' ? body.login.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const again = async (error: string) =>
      html(
        reply,
        invitationPage({ csrf: anonymousCsrf(settings, req, reply), token, login, error, personId: inv.personId, personName: (await deps.personName(inv.personId)) ?? inv.personId, roles: inv.roles.map(roleLabel).join('、') }),
        400,
      );
    if (!LOGIN_PATTERN.test(login)) return again('登录名须为3至40位字母、数字或“._-”。');
    const problem = passwordProblem(password, login);
    if (problem) return again(problem);
    if (password !== body.password2) return again('两次输入的密码不一致。');
    let result;
    try {
      result = await store.consumeInvitation(sha256(token), { login, passwordHash: await hashPassword(password), now: now() });
    } catch (err) {
      if (err instanceof StoreConflictError) return again('该登录名已被使用，请换一个。');
      throw err;
    }
    if (!result.ok) return invalidInvitation(req, reply);
    await audit(req, 'invitation.accepted', login, { personId: inv.personId, roles: inv.roles, superseded: result.superseded }, result.account);
    return reply.redirect('/login?invited=1', 303);
  });

  if (settings.oidc) await registerOidc(app, { settings, oidc: settings.oidc, store, audit, now, html, unusableToday });

  // ---- signed-in pages ------------------------------------------------------------------------
  const brigades = deps.registry ? brigadeDirectory(deps.registry) : null;
  const listTasks = taskListCache(store, deps.taskListCache ?? true);
  const routes = { store, now, personName: deps.personName, viewerOf, requireRole, audit, html, listTasks };
  app.get('/', async (req, reply) => {
    if (!(await requireSignIn(req, reply))) return;
    const { account, roles } = req.signedIn!;
    const tasks = await listTasks({ personId: account.personId, roles, department: null });
    const campaigns = await store.listCampaigns();
    const acting = { personId: account.personId, roles };
    const witness = deps.temporal ? await witnessTasks(deps.temporal, campaigns, acting) : [];
    const changeLists = deps.temporal && brigades ? await changeListTasks(deps.temporal, brigades, campaigns, acting) : [];
    return html(reply, homePage(viewerOf(req)!, [...tasks, ...witness, ...changeLists], beijingDate(now().getTime()), rehearsalTodays(campaigns)));
  });

  app.get('/audit', async (req, reply) => {
    if (!(await requireRole(req, reply, ['discipline']))) return;
    const q = req.query as Record<string, string | undefined>;
    const before = q.before && /^\d{1,15}$/.test(q.before) ? Number(q.before) : undefined;
    const entries = await store.listAudit({ limit: 100, ...(before !== undefined ? { beforeSeq: before } : {}) });
    await audit(req, 'audit.viewed', null, before !== undefined ? { before } : {});
    const last = entries.at(-1);
    return html(reply, auditPage(viewerOf(req)!, entries, entries.length === 100 && last ? last.seq : null));
  });

  if (deps.temporal) {
    registerApprovals(app, routes, deps.temporal, deps.rejectionReasons ?? [], deps.documents ?? null);
    if (deps.inspections) registerInspections(app, routes, deps.temporal, deps.inspections);
    registerCeremony(app, routes, deps.temporal);
    if (brigades) registerChangeList(app, routes, deps.temporal, brigades);
    registerNoticeLinks(app, routes);
    if (deps.operations) registerOperationsPages(app, routes, deps.temporal, deps.operations);
    if (deps.operations) registerResume(app, routes, deps.temporal);
  }

  registerRegistries(app, routes, deps.registry ?? null);
  registerAccounts(app, routes, deps.registry ?? null, settings);

  if (deps.codec) registerCodec(app, routes, deps.codec);

  app.setNotFoundHandler((req, reply) => html(reply, problemPage('页面不存在', '您访问的页面不存在。', viewerOf(req)), 404));
  app.setErrorHandler((err, req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status === 429) return html(reply, problemPage('请求过于频繁', '操作过于频繁，请稍后再试。', viewerOf(req)), 429);
    if (status < 500) return html(reply, problemPage('请求有误', '提交的内容无法处理，请返回重试。', viewerOf(req)), status);
    req.log.error(err);
    // Temporal busy or unreachable (a query that no worker answered in time, the frontend down):
    // say so, and that the action may not have happened, so nobody resubmits blindly.
    if (temporalUnavailable(err)) {
      void reply.header('Retry-After', '10');
      return html(reply, problemPage('系统繁忙', '流程服务暂时繁忙或无法连接，本次操作可能尚未完成。请稍后刷新页面查看当前状态，再决定是否重新提交。', viewerOf(req)), 503);
    }
    return html(reply, problemPage('系统错误', '系统暂时无法完成此操作，请稍后重试；如持续出现请联系系统管理员。', viewerOf(req)), 500);
  });
  return app;
}

/** A Temporal call that failed because the service is busy or unreachable, not because of the request. */
export function temporalUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: number | string; cause?: unknown };
  const text = `${e?.name ?? ''} ${e?.message ?? ''} ${String(e?.code ?? '')}`;
  if (/query timed out|DEADLINE_EXCEEDED|UNAVAILABLE|deadline exceeded|Failed to connect|ECONNREFUSED|TransportError/i.test(text)) return true;
  return e?.cause !== undefined && e.cause !== err ? temporalUnavailable(e.cause) : false;
}

/** 2023-01-12T01:02:03Z → 2023年1月12日 09:02 (Beijing time: what the users read). */
export const beijingTime = (d: Date): string => chineseDateTime(d.toISOString());
