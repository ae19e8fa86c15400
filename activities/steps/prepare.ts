// Step 1, prepare: the campaign's store row and quarter claim, its roster from the registry, the
// programme's settings and working-day calendar, and the brigades' change lists.
import * as fs from 'node:fs';
import { bundledCalendar, WorkingCalendar, type CalendarData, type CalendarSlice } from '../../domain/calendar';
import type { Quarter } from '../../domain/programme';
import type { ResolvedClock } from '../../domain/programme-clock';
import { refuse } from './refusals';
import type { StepContext } from './context';

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

const CHANGE_LIST_REMINDER_WORKING_DAYS = 5;
const WITNESS_REVEAL_HOURS = 48;

export function prepareActivities(ctx: StepContext) {
  const { deps } = ctx;

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

  return {
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
      ctx.refuseRehearsalUnlessAllowed(`campaign ${a.campaignId}`, a.clock, 'start the quarter without --rehearsal, or on a rehearsal worker');
      const store = await ctx.store();
      await store.ensureCampaign(a);
      const existing = (await store.campaign(a.campaignId))!;
      const roster = existing.manifestDigest && existing.roster ? existing.roster : await ctx.rosterAt(a.rosterAsOf);
      if (!existing.manifestDigest) await store.setRoster(a.campaignId, roster);
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
      await (await ctx.store()).recordChangeList(a.campaignId, a);
    },

    async campaignSettings(): Promise<CampaignSettings> {
      return settings();
    },
  };
}
