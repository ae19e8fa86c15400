// The console shows the programme's and the quota report's warnings in Chinese
// (console/views/warning-text.ts). Every warning shape is made here through the domain functions
// themselves, so an English text changed in the domain without its Chinese twin fails this test.
import { describe, expect, it } from 'vitest';
import { loadProgramme } from '../config/programme';
import { parseProgramme, programmeWarnings, type Programme } from '../domain/programme';
import { computeQuotas } from '../domain/quotas';
import { poolLabel, warningText } from '../console/views/warning-text';
import { department, inspector, inspectors, snapshot, units } from './helpers/registry-snapshot';

const programme = loadProgramme();
/** Chinese throughout: no English word of three letters or more is left (codes like key.section-9 aside). */
const englishWords = (s: string) => s.replace(/[A-Za-z0-9_.[\]-]*[.\-[\]][A-Za-z0-9_.[\]-]*/g, '').match(/[A-Za-z]{3,}/g) ?? [];

describe('the console’s Chinese warnings', () => {
  it('has a Chinese text for every programme and quota warning the domain writes', () => {
    const d = JSON.parse(JSON.stringify(programme)) as Programme;
    d.ratios.general.quarterly = [2, 2, 2, 3];
    d.ratios.key.sectionPercent = 7;
    const lowYear = parseProgramme(d);
    const fromProgramme = programmeWarnings(lowYear);

    const thin = snapshot({
      departments: [
        department('brigade-shihe', 'direct-brigade', 'shihe', '浉河大队'),
        department('brigade-none', 'direct-brigade', null, '无辖区大队'),
        department('section-9', 'section', null, '九科'),
        department('brigade-pq', 'direct-brigade', 'pingqiao', '平桥大队'),
      ],
      units: [...units('K', 3, { category: 'key' }), ...units('GP', 5, { category: 'general', jurisdiction: 'pingqiao' })],
      people: [inspector('ONE', 'brigade-shihe'), ...inspectors('IP', 'brigade-pq', 2)],
    });
    const fromQuotas = computeQuotas(thin, programme, 2, {
      inspectedElsewhere: [{ unitId: 'X901', office: '市场监管局' }],
      pastInspections: [{ unitId: 'X902', date: '2023-11-02' }],
    }).warnings;

    const all = [...new Set([...fromProgramme, ...fromQuotas])];
    // Each of the ten shapes is among them.
    for (const shape of [
      /^ratios\.general\.quarterly: /,
      /ratioText does not mention 1：/,
      /ratioText does not mention \d+%/,
      /candidate unit\(s\): every candidate/,
      /fewer than the team size/,
      /the annual minimum 1:\d+ needs$/,
      /no eligible inspector/,
      /^inspected-elsewhere list/,
      /^past-inspections list/,
      /without a jurisdiction/,
    ]) {
      expect(all.some((w) => shape.test(w)), `a warning like ${shape}`).toBe(true);
    }
    for (const w of all) {
      const zh = warningText(w);
      expect(zh, w).not.toBe(w);
      expect(englishWords(zh), zh).toEqual([]);
    }
    expect(warningText('ratios.general.quarterly: the quarterly ratios add up to 9 units per inspector a year, below the annual minimum 1:10')).toBe(
      '一般单位四个季度的抽查比例合计为每名执法人员每年9家，低于全年最低要求1：10（ratios.general.quarterly）。',
    );
    // The quarter is named as the pages name it (第一季度), not by its array index.
    expect(warningText('quarterlyTasks[0].ratioText does not mention 1：8, the ratio ratios.general.quarterly[0] sets')).toMatch(/^第一季度任务/);
    expect(fromQuotas.map((w) => warningText(w))).toContain('部门无辖区大队（brigade-none）是直属大队但没有辖区，在名录中补充辖区之前不设抽取池。');
    // The conditions in the personnel registry's own column headings (持证, 在编, 在岗, 在职).
    const noInspector = fromQuotas.find((w) => /no eligible inspector/.test(w))!;
    expect(warningText(noInspector)).toMatch(/^部门 section-9：没有符合条件的执法人员（持证、在编、在岗、在职），其抽取池 \S+ 不参加本次抽取。$/);
    // With the registry's names: the department and its pools by name, no code left.
    const named = warningText(noInspector, { department: (id) => (id === 'section-9' ? '执法九科' : null) });
    expect(named).toMatch(/^部门 执法九科：没有符合条件的执法人员（持证、在编、在岗、在职），其抽取池 (重点|一般|特殊)单位·执法九科(、(重点|一般|特殊)单位·执法九科)* 不参加本次抽取。$/);
    expect(englishWords(named)).toEqual([]);
    expect(poolLabel('general.brigade-pingqiao', { department: () => '平桥大队' })).toBe('一般单位·平桥大队');
  });

  it('shows a warning it does not know as written, rather than dropping it', () => {
    expect(warningText('something new')).toBe('something new');
  });
});
