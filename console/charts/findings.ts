// Findings by kind: no problem, problems found (and how they are handled: the brigade's own case,
// handed over by 监察通知 or 移交表, referred to another agency, still awaiting approval or
// rejected), and could not inspect. One horizontal bar each, with count and share.
import type { CampaignStats } from '../../workflows/definitions';
import { CHART_WIDTH, checkCount, COLOURS, countWithShare, type Fill, fillDefs, horizontalBars, html, type Html, svgShell } from './svg';

export interface FindingsCounts {
  noProblem: number;
  /** All units where problems were found (the sum of the four kinds below). */
  problemsFound: number;
  ownCase: number;
  handedOver: number;
  referred: number;
  /** Awaiting the leader's approval of a hand-over, or the hand-over rejected. */
  pendingOrRejected: number;
  couldNotInspect: number;
}

/**
 * From the quarter's statistics. Problems found that are neither an own case, handed over nor
 * referred are awaiting approval or were rejected; a referral counts once even if also handed over.
 */
export function findingsFromStats(s: Pick<CampaignStats, 'inspected' | 'findings' | 'ownCases' | 'handedOver' | 'referred' | 'notInspected'>): FindingsCounts {
  const handled = s.ownCases + s.handedOver + s.referred;
  return {
    noProblem: Math.max(0, s.inspected - s.findings),
    problemsFound: s.findings,
    ownCase: s.ownCases,
    handedOver: s.handedOver,
    referred: s.referred,
    pendingOrRejected: Math.max(0, s.findings - handled),
    couldNotInspect: s.notInspected,
  };
}

const FILLS = {
  none: { key: 'none', colour: COLOURS.green, pattern: 'solid' },
  found: { key: 'found', colour: COLOURS.vermillion, pattern: 'solid' },
  handling: { key: 'handling', colour: COLOURS.orange, pattern: 'diagonal' },
  notInspected: { key: 'not-inspected', colour: COLOURS.grey, pattern: 'dots' },
} satisfies Record<string, Fill>;

export function findingsChart(c: FindingsCounts, opts: { id?: string; title?: string; width?: number } = {}): Html {
  const id = opts.id ?? 'chart-findings';
  const title = opts.title ?? '检查结果分类';
  for (const [k, v] of Object.entries(c)) checkCount(k, v);
  const total = c.noProblem + c.problemsFound + c.couldNotInspect;
  const row = (label: string, fill: Fill, value: number, indent = false) => ({
    label,
    indent,
    segments: [{ key: fill.key, label, value }],
    note: countWithShare(value, total),
  });
  const rows = [
    row('未发现问题', FILLS.none, c.noProblem),
    row('发现问题', FILLS.found, c.problemsFound),
    row('其中：自行查处', FILLS.handling, c.ownCase, true),
    row('移交属地大队', FILLS.handling, c.handedOver, true),
    row('移送其他部门', FILLS.handling, c.referred, true),
    ...(c.pendingOrRejected > 0 ? [row('待审批或不予移交', FILLS.handling, c.pendingOrRejected, true)] : []),
    row('未能检查', FILLS.notInspected, c.couldNotInspect),
  ];
  const width = opts.width ?? CHART_WIDTH;
  const pad = 12;
  const bars = horizontalBars(id, rows, Object.values(FILLS), pad, pad + 4, width - 2 * pad);
  const desc =
    `共${total}家：未发现问题${c.noProblem}家，发现问题${c.problemsFound}家` +
    `（自行查处${c.ownCase}家，移交属地大队${c.handedOver}家，移送其他部门${c.referred}家` +
    (c.pendingOrRejected > 0 ? `，待审批或不予移交${c.pendingOrRejected}家` : '') +
    `），未能检查${c.couldNotInspect}家。`;
  return svgShell({
    id,
    width,
    height: pad + 4 + bars.height + pad,
    title,
    desc,
    defs: fillDefs(id, Object.values(FILLS)),
    body: html`${bars.svg}`,
  });
}
