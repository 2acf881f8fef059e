// clockSkew: a Date header counts whole seconds, so a same-second answer is in step and a skew is the range's middle.
import { describe, expect, it } from 'vitest';
import { clockSkew } from '../../src/core/clock.js';

const date = Date.parse('2026-11-30T12:00:00Z');

describe('clockSkew', () => {
  it.each([
    // [what, sentAt, answeredAt, expected seconds ahead]
    ['a same-machine answer later in the same second', date + 700, date + 720, 0],
    ['sent just before the second turned, answered just after', date - 10, date + 15, 0],
    ['a slow answer spanning two seconds', date + 200, date + 2300, 0],
    ['two minutes ahead', date + 120_400, date + 120_430, 120],
    ['two minutes behind', date - 119_600, date - 119_570, -120],
    ['ahead by 1.4 to 2.41 s: about 2', date + 2_400, date + 2_410, 2],
    ['behind by 1.15 to 2.2 s: about 2', date - 1_200, date - 1_150, -2],
    ['under half a second ahead, outside the range by a hair', date + 1_010, date + 1_020, 1],
  ])('%s', (_what, sentAt, answeredAt, expected) => {
    expect(clockSkew(sentAt, answeredAt, date)).toBe(expected);
  });
});
