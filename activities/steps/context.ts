// What every step's activities share: the worker's dependencies, the campaign store on the shared
// database, the frozen manifest and roster, and the registry as of a date. Each step file
// (prepare, freeze, draw, inspection, documents, publish, notices, projection) builds its
// activities from one StepContext.
import type { Manifest } from '../../domain/draw/manifest';
import type { DrawRecord, Replacement } from '../../domain/draw/record';
import { readManifest } from '../../domain/draw/read-manifest';
import { chineseQuarter } from '../../domain/documents';
import type { Programme, Quarter } from '../../domain/programme';
import type { ResolvedClock } from '../../domain/programme-clock';
import type { Unit } from '../../domain/registry';
import type { Keyring } from '../../codec/keyring';
import type { ConsoleStore } from '../../stores/console-store';
import { SqlCampaignStore, type CampaignStore, type Roster } from '../../stores/campaign-store';
import * as path from 'node:path';
import { BlobCorruptError, BlobMissingError, SqlBlobStore, type BlobStore } from '../../stores/blob-store';
import { openStoreDatabase } from '../../stores/open';
import { materialiseManifest } from '../../files/freeze';
import type { SqlDatabase } from '../../stores/sql';
import type { DocumentPdfRendering } from '../../files/documents/document-pdf';
import type { Notice } from '../../mail/mailer';
import type { DeliveryStatus, RefusedRecipient } from '../../stores/notice-problems';
import { SqlRegistryStore, type RegistryStore } from '../../stores/registry-store';
import type { RegistrySnapshot } from '../../domain/registry';
import type { NoticeContext, NoticeRecipients } from '../../mail/notices';
import { refuse } from './refusals';

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
  /** Folder for this host's manifest cache (<dataDir>/cache), draw notices and the default publication folder. */
  dataDir: string;
  /**
   * The shared store database (stores/open.ts openStoreDatabase: SSJ_DATABASE_URL or the data
   * folder's ssj.db); the campaign store and the registries live in it. Absent: the activities open `<dataDir>/ssj.db`
   * themselves (one host) and close it in close().
   */
  database?: SqlDatabase;
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
  /** The console's public address (SSJ_CONSOLE_PUBLIC_URL): notices that ask something link to their page. */
  consoleUrl?: string | null;
  /** The console's store: projectInspection writes its task and inspection rows there. Absent: it does nothing. */
  consoleStore?: ConsoleStore;
  /** Renders official documents to A4 PDF, sent beside the HTML (files/documents/pdf.ts). Absent or null: HTML only. */
  documentPdf?: DocumentPdfRendering | null;
}

/** Who a notice is for (ids and roles, as the workflows say it); see ../campaign/notices. */
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

export interface StepContext {
  deps: CampaignActivityDeps;
  /** The shared store database (deps.database, or the data folder's ssj.db opened on first use). */
  database(): Promise<SqlDatabase>;
  store(): Promise<CampaignStore>;
  /** The registries (their dated history) in the same database. */
  registry(): Promise<RegistryStore>;
  /** The shared blob store (manifests, draw notices, publications) in the same database. */
  blobs(): Promise<BlobStore>;
  /** Closes the store database if the activities opened it (deps.database absent). */
  close(): Promise<void>;
  manifestOf(campaignId: string): Promise<{ manifest: Manifest; record: DrawRecord | null; dir: string }>;
  rosterOf(campaignId: string): Promise<Roster>;
  rosterAt(asOf: string): Promise<Roster>;
  unitsAt(unitIds: Iterable<string>, asOf: string): Promise<Map<string, Unit | null>>;
  unitAt(unitId: string, asOf: string): Promise<Unit | null>;
  /** `unitIds`: the units the notice names (their names and areas are read from the registry). */
  noticeContext(campaignId: string, unitIds?: Iterable<string>): Promise<NoticeContext>;
  refuseRehearsalUnlessAllowed(subject: string, clock: ResolvedClock | undefined, remedy: string): void;
}

/** How the campaign store's manifest location names a manifest package in the blob store. */
export const MANIFEST_PACKAGE_PREFIX = 'blob:';

/** The roster a campaign freezes: the active people and the departments of a registry snapshot. */
export function rosterFrom(snap: Pick<RegistrySnapshot, 'asOf' | 'people' | 'departments'>): Roster {
  return {
    asOf: snap.asOf,
    people: snap.people
      .filter((p) => p.active)
      .map((p) => ({ id: p.id, name: p.name, department: p.department, roles: [...p.roles], email: p.email, certificateNo: p.inspector?.certificateNo ?? null })),
    departments: snap.departments.map((d) => ({ id: d.id, kind: d.kind, name: d.name, jurisdiction: d.jurisdiction, email: d.email })),
  };
}

export function createStepContext(deps: CampaignActivityDeps): StepContext {
  let opened: Promise<SqlDatabase> | undefined;
  let store: Promise<CampaignStore> | undefined;
  const database = (): Promise<SqlDatabase> => {
    if (deps.database) return Promise.resolve(deps.database);
    opened ??= openStoreDatabase({ dataDir: deps.dataDir, databaseUrl: null });
    return opened;
  };
  const manifestCache = new Map<string, Manifest>();

  /**
   * The manifest as a folder on this host. Campaigns frozen since the blob store record its
   * package (`blob:<digest>`): fetched into <dataDir>/cache and checked there. Older campaigns
   * recorded the folder itself (one host).
   */
  async function manifestFolder(campaignId: string, recorded: string): Promise<string> {
    if (!recorded.startsWith(MANIFEST_PACKAGE_PREFIX)) return recorded;
    try {
      return await materialiseManifest(await ctx.blobs(), recorded.slice(MANIFEST_PACKAGE_PREFIX.length), path.join(deps.dataDir, 'cache'));
    } catch (err) {
      if (err instanceof BlobCorruptError || err instanceof BlobMissingError) throw refuse(`campaign ${campaignId}: the frozen manifest: ${err.message}`, 'ManifestRefused');
      throw err;
    }
  }

  const drawRecords = new Map<string, DrawRecord>();
  const ctx: StepContext = {
    deps,
    database,
    store: () => (store ??= database().then((db) => new SqlCampaignStore(db))),
    blobs: async () => new SqlBlobStore(await database()),
    registry: async () => new SqlRegistryStore(await database()),
    async close() {
      const db = opened;
      opened = undefined;
      store = undefined;
      if (db) await (await db).close();
    },

    async manifestOf(campaignId) {
      const c = await (await ctx.store()).requireCampaign(campaignId);
      if (!c.manifestDir) throw refuse(`campaign ${campaignId} has not been frozen yet`);
      const dir = await manifestFolder(campaignId, c.manifestDir);
      let m = manifestCache.get(campaignId);
      if (!m || m.manifestDigest !== c.manifestDigest) {
        m = readManifest(dir);
        if (m.manifestDigest !== c.manifestDigest) {
          throw refuse(`manifest folder ${dir} has digest ${m.manifestDigest}, the campaign froze ${c.manifestDigest}: it was changed`, 'ManifestRefused');
        }
        manifestCache.set(campaignId, m);
      }
      return { manifest: m, record: c.record, dir };
    },

    async rosterOf(campaignId) {
      const r = (await (await ctx.store()).campaignHead(campaignId)).roster;
      if (!r) throw refuse(`campaign ${campaignId} has no roster yet`);
      return r;
    },

    async rosterAt(asOf) {
      return rosterFrom(await (await ctx.registry()).snapshotAt(asOf, { kinds: ['person', 'department'] }));
    },

    /** The units as they stood on `asOf`, in batched reads (a publication names thousands). */
    async unitsAt(unitIds, asOf) {
      return (await ctx.registry()).statesAt('unit', unitIds, asOf);
    },

    async unitAt(unitId, asOf) {
      return (await ctx.unitsAt([unitId], asOf)).get(unitId) ?? null;
    },

    /** The names behind a notice's ids, as of the campaign's freeze (roster and registry); see ../campaign/notices. */
    async noticeContext(campaignId, unitIds = []) {
      const store = await ctx.store();
      const c = await store.campaignHead(campaignId);
      const roster = c.roster;
      if (!roster) throw refuse(`campaign ${campaignId} has no roster yet`);
      // A draw record never changes once stored (the store refuses another seed): parsed once per
      // campaign here, not per notice (a large quarter's record is a megabyte of JSON).
      let record = drawRecords.get(campaignId) ?? null;
      if (!record) {
        record = await store.campaignRecord(campaignId);
        if (record) drawRecords.set(campaignId, record);
      }
      // Read now: the context's callbacks are synchronous.
      const replacements = await store.replacements(campaignId);
      const asOf = c.frozenAsOf ?? roster.asOf;
      // Read here for the synchronous callbacks: only the units the caller names (a notice names
      // one, its params.unitId), not the whole draw; any other id is shown as itself.
      const units = await ctx.unitsAt(unitIds, asOf);
      const unitOf = (id: string): Unit | null => units.get(id) ?? null;
      const departmentName = (id: string) => roster.departments.find((d) => d.id === id)?.name ?? id;
      return {
        issuer: deps.programme.detachment.name,
        console: deps.consoleUrl ? { url: deps.consoleUrl, campaignId } : null,
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
          const poolId = record?.assignments.find((x) => x.unit_id === unitId)?.pool_id ?? replacements.find((r) => r.replacement === unitId)?.pool_id;
          const departmentId = record?.pools.find((p) => p.pool_id === poolId)?.department;
          return departmentId ? departmentName(departmentId) : '';
        },
        checkItems: deps.programme.checkItems.map((ci) => ci.item),
        handoverOf: (unitId) => {
          const area = unitOf(unitId)?.jurisdiction;
          const brigade = roster.departments.find((d) => (d.kind === 'county-brigade' || d.kind === 'direct-brigade') && d.jurisdiction === area);
          return brigade ? { kind: brigade.kind === 'county-brigade' ? 'supervision-notice' : 'transfer-form', receiver: brigade.name } : null;
        },
      };
    },

    /** A rehearsal clock (a programme day in seconds) only on a worker that allows it: never in production. */
    refuseRehearsalUnlessAllowed(subject, clock, remedy) {
      if (clock?.mode !== 'rehearsal' || deps.allowRehearsalClock) return;
      throw refuse(
        `${subject}: it runs on a rehearsal clock (1 programme day = ${clock.secondsPerDay} s from ${clock.programmeStart}), ` +
          'which this worker does not allow: rehearsals run only on a worker started with SSJ_ALLOW_REHEARSAL_CLOCK=true (never in production); ' +
          remedy,
        'RehearsalClockRefused',
      );
    },
  };
  return ctx;
}
