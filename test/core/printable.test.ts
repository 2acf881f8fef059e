import { describe, expect, it } from 'vitest';
import { clipped, printable, printableFields } from '../../src/core/printable.js';

describe('printable', () => {
  it.each([
    ['plain text is returned as it is', 'P2026 28.65 CAD 测试 ✓', 'P2026 28.65 CAD 测试 ✓'],
    ['ESC (a colour or clear-screen sequence)', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['a line break cannot start a forged line', 'x\nFAKE verified', 'x\\x0aFAKE verified'],
    ['CR, TAB, NUL and DEL', '\r\t\u0000\u007f', '\\x0d\\x09\\x00\\x7f'],
    ['C1 controls (8-bit CSI)', '\u009b31m', '\\x9b31m'],
    ['bidirectional overrides', 'abc\u202edef\u2066', 'abc\\u202edef\\u2066'],
  ])('%s', (_, input, shown) => {
    expect(printable(input)).toBe(shown);
    expect(printable(input)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('printableFields escapes every string, nested ones too, and keeps the rest', () => {
    const event = { a: 'x\u001b', n: 1, ok: true, none: undefined, list: ['\n', 2], forward: { error: 'e\r' } };
    expect(printableFields(event)).toEqual({ a: 'x\\x1b', n: 1, ok: true, none: undefined, list: ['\\x0a', 2], forward: { error: 'e\\x0d' } });
    expect(event.a).toBe('x\u001b');
  });
});

describe('clipped', () => {
  it.each([
    ['', 2000, ''],
    ['a'.repeat(2000), 2000, 'a'.repeat(2000)],
    ['a'.repeat(2001), 2000, `${'a'.repeat(2000)}…`],
    ['abcdef', 3, 'abc…'],
  ])('%#: cuts only past the limit', (text, limit, shown) => {
    expect(clipped(text, limit)).toBe(shown);
  });
});
