// The ceremony pages' times (instantCn): Beijing time whatever offset the instant carries, so a
// UTC instant is not shown eight hours early; anything else shows as given.
import { expect, it } from 'vitest';
import { instantCn } from '../console/views/ceremony';

it('shows an instant in Beijing time, whatever its offset', () => {
  expect(instantCn('2023-01-05T04:20:09+08:00')).toBe('2023年1月5日 04:20');
  expect(instantCn('2023-01-04T20:20:09.123Z')).toBe('2023年1月5日 04:20');
  expect(instantCn('2023-01-04T22:20:09+02:00')).toBe('2023年1月5日 04:20');
  expect(instantCn('not a time')).toBe('not a time');
  expect(instantCn(null)).toBe('');
});
