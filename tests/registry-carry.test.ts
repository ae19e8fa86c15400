// A registry change dated before changes already recorded for its entity keeps its effect past
// them (stores/registry-carry.ts): the pure rule. The store applying it on SQLite and PostgreSQL:
// tests/store-registry.test.ts; a closed-units list arriving after an address correction:
// tests/import-files.test.ts.
import { describe, expect, it } from 'vitest';
import { carriedForward } from '../stores/registry-carry';

const base = { name: '信阳华丰建材', address: '工区路88号', status: 'active', statusDate: '2020-01-01' };
const rec = (effectiveDate: string, over: Record<string, unknown> | null) => ({ effectiveDate, state: over === null ? null : { ...base, ...over } });
const closedOn15 = { effectiveDate: '2023-03-15', state: { ...base, status: 'closed', statusDate: '2023-03-15' }, reason: '关停名单' };

describe('carrying a backdated change forward', () => {
  it('carries nothing when no record is dated after the change (the usual case)', () => {
    expect(carriedForward([rec('2022-12-31', {})], [closedOn15])).toEqual([]);
    expect(carriedForward([], [closedOn15])).toEqual([]);
  });

  it('carries the fields it set onto each later state, keeping what those records changed', () => {
    const recorded = [rec('2022-12-31', {}), rec('2023-03-25', { address: '工区路90号' }), rec('2023-04-02', { address: '工区路90号', name: '华丰建材（更名）' })];
    expect(carriedForward(recorded, [closedOn15])).toEqual([
      { effectiveDate: '2023-03-25', state: { ...base, address: '工区路90号', status: 'closed', statusDate: '2023-03-15' }, reason: '2023-03-15的变更延续至此（关停名单）' },
      { effectiveDate: '2023-04-02', state: { ...base, address: '工区路90号', name: '华丰建材（更名）', status: 'closed', statusDate: '2023-03-15' }, reason: '2023-03-15的变更延续至此（关停名单）' },
    ]);
  });

  it('stops carrying a field once a later record changed it: that later decision stands', () => {
    // Reopened (banned, then lifted) on 04-10 by a record made with its own view of the status.
    const recorded = [rec('2022-12-31', {}), rec('2023-03-25', { address: '工区路90号' }), rec('2023-04-10', { address: '工区路90号', status: 'banned', statusDate: '2023-04-10' }), rec('2023-05-01', { address: '工区路90号', name: '新名' , status: 'banned', statusDate: '2023-04-10' })];
    const carried = carriedForward(recorded, [closedOn15]);
    expect(carried.map((c) => [c.effectiveDate, c.state.status])).toEqual([['2023-03-25', 'closed']]);
  });

  it('reads the last record of a date as that date’s state, and stops at a removal', () => {
    const recorded = [rec('2022-12-31', {}), rec('2023-03-25', { address: '先记' }), rec('2023-03-25', { address: '后记' }), rec('2023-04-01', null), rec('2023-05-01', { address: '重新登记' })];
    expect(carriedForward(recorded, [closedOn15])).toEqual([
      { effectiveDate: '2023-03-25', state: { ...base, address: '后记', status: 'closed', statusDate: '2023-03-15' }, reason: '2023-03-15的变更延续至此（关停名单）' },
    ]);
  });

  it('leaves a later change of the same batch as the batch made it, and never carries a removal', () => {
    const recorded = [rec('2022-12-31', {}), rec('2023-03-25', { address: '工区路90号' }), rec('2023-04-20', { address: '工区路90号', name: '新名' })];
    const later = { effectiveDate: '2023-04-01', state: { ...base, address: '工区路90号', status: 'active', statusDate: '2023-04-01' }, reason: '复产' };
    expect(carriedForward(recorded, [closedOn15, later]).map((c) => c.effectiveDate)).toEqual(['2023-03-25', '2023-04-20']);
    // 04-20 follows the batch's own 04-01 record (active again): the closure is not carried past it.
    expect(carriedForward(recorded, [closedOn15, later]).find((c) => c.effectiveDate === '2023-04-20')?.state.status).toBe('active');
    expect(carriedForward(recorded, [{ effectiveDate: '2023-03-15', state: null, reason: '撤回' }])).toEqual([]);
  });
});
