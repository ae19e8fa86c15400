// The programme file: the shipped 2023 Xinyang plan parses, and broken files give messages that
// name the file, the field path and the rule.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRAMME_PATH, loadProgramme } from '../config/programme';
import { campaignCode, generalRatio, parseProgramme, ProgrammeError, programmeWarnings, quarterCalendar, reasonCodeProblem, reasonLabel } from '../domain/programme';

const shipped = (): Record<string, any> => JSON.parse(fs.readFileSync(DEFAULT_PROGRAMME_PATH, 'utf8'));

function problemsOf(data: unknown): string[] {
  try {
    parseProgramme(data, 'config/programme.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ProgrammeError);
    return (err as ProgrammeError).problems;
  }
  throw new Error('expected the programme to be rejected');
}

describe('the shipped programme (2023 Xinyang plan)', () => {
  const p = loadProgramme();

  it('parses and carries the plan', () => {
    expect(p.id).toBe('xinyang-2023');
    expect(p.year).toBe(2023);
    expect(p.name).toContain('双随机、一公开');
    expect(p.detachment.name).toBe('信阳市生态环境综合行政执法支队');
    expect(p.ratios.key).toEqual({ sectionPercent: 5, brigadePercent: 25 });
    expect(p.ratios.general).toEqual({ quarterly: [2, 3, 2, 3], annualUnitsPerInspector: 10 });
    expect(p.ratios.special.problemPercent).toBe(30);
    expect(p.draw).toEqual({ teamSize: 2, exclusive: true });
    expect(p.deadlines).toEqual({ drawByDayOfFirstMonth: 10, annualPlanBy: { month: 1, day: 25 }, inspectionEnds: 'quarter-end', publicationWorkingDays: 20, witnessRevealHours: 48 });
    expect(p.exclusions.recentlyInspectedQuarters).toBe(0);
    expect(p.rehearsal.secondsPerDay).toBe(2);
  });

  it('holds Annex 1 and Annex 2 with every column', () => {
    expect(p.checkItems).toHaveLength(1);
    const item = p.checkItems[0]!;
    expect(Object.keys(item).sort()).toEqual(
      ['basis', 'checkingBody', 'department', 'frequency', 'item', 'itemKind', 'method', 'ratio', 'remarks', 'seq', 'targets'].sort(),
    );
    expect(item.basis).toContain('《中华人民共和国环境保护法》');
    expect(item.method).toBe('现场检查');
    expect(p.quarterlyTasks.map((t) => t.period.text)).toEqual(['1月-3月', '4月-6月', '7月-9月', '10月-12月']);
    expect(p.quarterlyTasks.map((t) => t.drawType)).toEqual(['不定向', '不定向', '不定向', '不定向']);
    expect(p.quarterlyTasks[1]!.ratioText).toContain('1：3');
  });

  it('has no warnings, and derives campaign codes, ratios and dates', () => {
    expect(programmeWarnings(p)).toEqual([]);
    expect(campaignCode(p, 1)).toBe('xinyang-2023q1');
    expect([1, 2, 3, 4].map((q) => generalRatio(p, q as 1 | 2 | 3 | 4))).toEqual([2, 3, 2, 3]);
    expect(quarterCalendar(p, 1)).toEqual({
      start: '2023-01-01',
      end: '2023-03-31',
      drawDue: '2023-01-10',
      inspectionDue: '2023-03-31',
      previousQuarterEnd: '2022-12-31',
    });
    expect(quarterCalendar(p, 4).previousQuarterEnd).toBe('2023-09-30');
  });
});

describe('reason codes', () => {
  const p = loadProgramme();

  it('lists codes with official labels for every kind of reason', () => {
    expect(Object.keys(p.reasons).sort()).toEqual(['couldNotInspect', 'recusal', 'rejection', 'unitClosed']);
    expect(p.reasons.recusal.map((r) => r.code)).toEqual(expect.arrayContaining(['kinship', 'financial-interest']));
    expect(p.reasons.unitClosed.map((r) => r.code)).toEqual(expect.arrayContaining(['closed', 'shut-down', 'not-found']));
    expect(reasonLabel(p.reasons, 'recusal', 'kinship')).toBe('与检查对象有近亲属关系');
    expect(reasonLabel(p.reasons, 'recusal', 'closed')).toBeNull(); // each kind has its own list
    expect(reasonCodeProblem(p.reasons, 'unitClosed', 'closed')).toBeNull();
    expect(reasonCodeProblem(p.reasons, 'recusal', 'brother-in-law')).toBe(
      'brother-in-law is not a recusal reason code of the programme (allowed: kinship, financial-interest, former-employment, other-interest)',
    );
    // An inspection started before reason codes has no list: any well-formed code passes.
    expect(reasonCodeProblem(undefined, 'recusal', 'anything')).toBeNull();
  });

  it('refuses a code that is not a code, a twice-listed code, an empty label or list', () => {
    const d = shipped();
    d.reasons.recusal[0].code = 'Kinship!';
    d.reasons.unitClosed.push({ ...d.reasons.unitClosed[0] });
    d.reasons.couldNotInspect[1].label = '  ';
    d.reasons.rejection = [];
    expect(problemsOf(d)).toEqual([
      'config/programme.json: reasons.recusal[0].code: must be a code: [a-z0-9][a-z0-9._-]{0,63}',
      'config/programme.json: reasons.unitClosed[5].code: must be unique in its list (closed is listed twice)',
      'config/programme.json: reasons.couldNotInspect[1].label: must not be empty',
      'config/programme.json: reasons.rejection: must list at least one reason code',
    ]);
    const e = shipped();
    delete e.reasons;
    expect(problemsOf(e)).toEqual(['config/programme.json: reasons: is missing; it must be an object ({ ... })']);
  });
});

describe('broken programmes are rejected with the field path and the rule', () => {
  it('a rejection reason fits the decisions it names; an unknown decision is refused', () => {
    const d = shipped();
    d.reasons.rejection[1].decisions = ['recusal', 'approval'];
    expect(problemsOf(d)).toEqual(['config/programme.json: reasons.rejection[1].decisions[1]: must be one of handover, recusal, replacement']);
    expect(parseProgramme(JSON.stringify(shipped()), 'p.json').reasons!.rejection.find((r) => r.code === 'rectified')?.decisions).toEqual(['handover']);
  });

  it('a quarterly ratio that is not a positive integer', () => {
    const d = shipped();
    d.ratios.general.quarterly[2] = 0;
    expect(problemsOf(d)).toEqual(['config/programme.json: ratios.general.quarterly[2]: must be a positive integer']);
    d.ratios.general.quarterly[2] = 2.5;
    expect(problemsOf(d)).toEqual(['config/programme.json: ratios.general.quarterly[2]: must be a positive integer']);
    d.ratios.general.quarterly[2] = '2';
    expect(problemsOf(d)).toEqual(['config/programme.json: ratios.general.quarterly[2]: must be a positive integer']);
  });

  it('three quarterly ratios instead of four', () => {
    const d = shipped();
    d.ratios.general.quarterly = [2, 3, 2];
    expect(problemsOf(d)).toEqual(['config/programme.json: ratios.general.quarterly: must list exactly four ratios, Q1–Q4']);
  });

  it('a missing field, a misspelt field, a team of one, a percentage over 100', () => {
    const d = shipped();
    delete d.draw.teamSize;
    d.draw.teamsize = 2;
    d.ratios.key.sectionPercent = 120;
    const problems = problemsOf(d);
    expect(problems).toContain('config/programme.json: draw.teamSize: is missing; it must be a positive integer');
    expect(problems).toContain('config/programme.json: draw.teamsize: unknown field (check the spelling against docs/programme.md)');
    expect(problems).toContain('config/programme.json: ratios.key.sectionPercent: must be a whole percentage from 1 to 100');
    expect(problems).toHaveLength(3);

    const e = shipped();
    e.draw.teamSize = 1;
    expect(problemsOf(e)).toEqual(['config/programme.json: draw.teamSize: must be at least 2 (the plan: 执法人员应不少于2名)']);

    // A unit drawn by two pools could not be inspected, recorded and published once: refused.
    const f = shipped();
    f.draw.exclusive = false;
    expect(problemsOf(f)).toEqual(['config/programme.json: draw.exclusive: must be true: a quarter inspects and publishes each unit once, so a unit may not be drawn by two pools']);
  });

  it('an Annex 2 row with a bad enum, boolean and period', () => {
    const d = shipped();
    d.quarterlyTasks[1].drawType = '随机';
    d.quarterlyTasks[1].jointDraw = '否';
    d.quarterlyTasks[1].period.toMonth = 7;
    expect(problemsOf(d)).toEqual([
      'config/programme.json: quarterlyTasks[1].drawType: must be 定向 or 不定向',
      'config/programme.json: quarterlyTasks[1].jointDraw: must be true or false (部门联合抽查: 是/否)',
    ]);
    // Cross-field rules run once every field is well-formed.
    d.quarterlyTasks[1].drawType = '定向';
    d.quarterlyTasks[1].jointDraw = false;
    expect(problemsOf(d)).toEqual(["config/programme.json: quarterlyTasks[1].period: must cover the quarter's months 4–6 (checks end at quarter end)"]);
  });

  it('quarterly tasks out of order, reminders not decreasing, an impossible annual plan date', () => {
    const d = shipped();
    [d.quarterlyTasks[0], d.quarterlyTasks[1]] = [d.quarterlyTasks[1], d.quarterlyTasks[0]];
    d.reminders.inspectionDaysBeforeDue = [3, 7];
    d.deadlines.annualPlanBy = { month: 2, day: 30 };
    const problems = problemsOf(d);
    expect(problems).toContain('config/programme.json: reminders.inspectionDaysBeforeDue: must be in strictly decreasing order, e.g. [14, 7, 3, 1]');
    expect(problems).toContain('config/programme.json: deadlines.annualPlanBy: must be a real calendar day');
  });

  it('a programme id that is not a code', () => {
    const d = shipped();
    d.id = 'Xinyang 2023';
    expect(problemsOf(d)).toEqual(['config/programme.json: id: must be a code: [a-z0-9][a-z0-9._-]{0,63}']);
  });

  it('not JSON at all, and a missing file', () => {
    expect(() => parseProgramme('{ "id": ', 'my.json')).toThrow(/my\.json: is not valid JSON/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-programme-'));
    try {
      expect(() => loadProgramme(path.join(dir, 'none.json'))).toThrow(/none\.json: cannot be read \(no such file\)/);
      const file = path.join(dir, 'p.json');
      const d = shipped();
      d.rehearsal.secondsPerDay = 0;
      fs.writeFileSync(file, JSON.stringify(d));
      expect(() => loadProgramme(file)).toThrow(/p\.json: rehearsal\.secondsPerDay: must be a number of seconds, more than 0/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns when the quarterly general ratios fall below the annual 1:10, or disagree with Annex 2', () => {
    const d = shipped();
    d.ratios.general.quarterly = [2, 2, 2, 3];
    const w = programmeWarnings(parseProgramme(d));
    expect(w).toContain('ratios.general.quarterly: the quarterly ratios add up to 9 units per inspector a year, below the annual minimum 1:10');
    expect(w).toContain('quarterlyTasks[1].ratioText does not mention 1：2, the ratio ratios.general.quarterly[1] sets');
    expect(w).toHaveLength(2);
  });
});
