// The working-day calendar a workflow recorded (the campaign's slice), and what happens when a
// date needs a year the slice lacks: since `calendar-parks` the step parks until an operator has
// recorded the year's holidays and resumes; the resume fetches the year through an activity (so
// it is in history) and the computation runs again. Before, it failed the workflow.
import { ApplicationFailure } from '@temporalio/workflow';
import { CalendarError, CalendarYearMissing, mergeSlices, WorkingCalendar, type CalendarSlice } from '../domain/calendar';
import { calendarYearMissingReason, type CalendarNeed } from '../domain/parking';
import { acts, calendarRefusal, withCalendar, workingCalendarOf } from './common';
import { refusalOf, type Parking } from './parking';

export class RecordedCalendar {
  private calendar: WorkingCalendar;
  private missing: CalendarYearMissing | null = null;

  constructor(
    private recorded: CalendarSlice | undefined,
    private readonly campaignId: string,
    private readonly where: string,
  ) {
    this.calendar = withCalendar(where, () => workingCalendarOf(recorded));
  }

  /** The slice as recorded, widened by the years fetched on resume (what children are given). */
  get slice(): CalendarSlice | undefined {
    return this.recorded;
  }

  /**
   * `fn`'s answer on the calendar, or null when a date lies in a year the recorded slice lacks
   * and `mayPark()` (asked only then, so it may ask a patch): call `parkUntilAnswered`. Any other
   * calendar error fails the workflow (`CalendarRefused`), as does a missing year in the bundled
   * calendar of quarters from before `dates-from-activity` (no slice to widen).
   */
  answer<T>(fn: (calendar: WorkingCalendar) => T, mayPark: () => boolean): T | null {
    try {
      return fn(this.calendar);
    } catch (err) {
      if (err instanceof CalendarYearMissing && this.recorded && mayPark()) {
        this.missing = err;
        return null;
      }
      throw calendarRefusal(this.where, err);
    }
  }

  /**
   * After `answer` gave null: parks `step` until resumed, fetches the missing year (the days the
   * slice holds keep their answer) and runs `fn` again; the year still missing, or the calendar
   * refused, it parks again, on that reason.
   */
  async parkUntilAnswered<T>(parking: Parking, step: string, need: CalendarNeed, fn: (calendar: WorkingCalendar) => T): Promise<T> {
    return (await this.parkUnlessMoot(parking, step, need, fn, () => false))!;
  }

  /** As `parkUntilAnswered`, but null (unparked, the year not fetched) as soon as `moot()` holds: the answer is no longer needed. */
  async parkUnlessMoot<T>(parking: Parking, step: string, need: CalendarNeed, fn: (calendar: WorkingCalendar) => T, moot: () => boolean): Promise<T | null> {
    let refusal = this.refusal(need);
    for (;;) {
      if (!(await parking.hold(step, refusal, moot))) return null;
      const year = this.missing!.year;
      const recorded = this.recorded!;
      let fetched: CalendarSlice;
      try {
        fetched = await acts.campaignCalendar({
          campaignId: this.campaignId,
          from: `${year}-01-01` < recorded.first ? `${year}-01-01` : recorded.first,
          to: `${year}-12-31` > recorded.last ? `${year}-12-31` : recorded.last,
        });
      } catch (err) {
        // The calendar file itself refused (not JSON, a year inconsistent).
        const r = refusalOf(err);
        if (!r) throw err;
        refusal = r;
        continue;
      }
      try {
        const widened = mergeSlices(recorded, fetched);
        const calendar = WorkingCalendar.fromSlice(widened);
        this.recorded = widened;
        this.calendar = calendar;
        return fn(calendar);
      } catch (err) {
        if (!(err instanceof CalendarError)) throw err;
        if (err instanceof CalendarYearMissing) this.missing = err;
        refusal = err instanceof CalendarYearMissing ? this.refusal(need) : (calendarRefusal(this.where, err) as ApplicationFailure);
      }
    }
  }

  private refusal(need: CalendarNeed): ApplicationFailure {
    return ApplicationFailure.create({ message: calendarYearMissingReason(this.missing!.year, need), type: 'CalendarYearMissing', nonRetryable: true });
  }
}
