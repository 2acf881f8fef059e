import { describe, expect, it } from 'vitest';
import { maskKey, redactKey } from '../../src/core/mask.js';

describe('maskKey', () => {
  it.each([
    ['', '••••'],
    ['k', '••••'],
    ['abcdefghijk', '••••'], // 11
    ['abcdefghijkl', 'ab…l'], // 12: a quarter shown
    ['abcdefghijklmnop', 'abc…p'], // 16
    ['abcdefghijklmnopqrst', 'abcd…t'], // 20
    ['CANARY-k3y-0123456789-zz', 'CANA…zz'], // 24
    ['8UPpXXXXXXXXXXXXXXXXXXXXXXXXXXC3', '8UPp…C3'], // 32
    ['密钥密钥密钥密钥密钥密钥', '密钥…钥'], // 12 characters, not bytes
  ])('%j → %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });

  it('never shows more than a quarter of the key', () => {
    for (let n = 0; n <= 200; n++) {
      const key = 'x'.repeat(n);
      const shown = maskKey(key).replace(/[…•]/g, '').length;
      expect(shown * 4).toBeLessThanOrEqual(n);
      expect(shown).toBeLessThanOrEqual(6);
    }
  });
});

describe('redactKey', () => {
  it('replaces every occurrence of the key by its mask', () => {
    const key = 'CANARY-k3y-0123456789-zz';
    expect(redactKey(`a ${key} b ${key}`, key)).toBe('a CANA…zz b CANA…zz');
    expect(redactKey('no key here', key)).toBe('no key here');
    expect(redactKey('text', undefined)).toBe('text');
  });
});
