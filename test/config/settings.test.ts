// URL settings and flags: what is refused, and the URL a scheme-less one surely meant.
import { describe, expect, it } from 'vitest';
import { checkTimeout, checkWebUrl, durationHint } from '../../src/config/settings.js';

describe('checkWebUrl', () => {
  it.each([
    ['https://shop.example/notify', undefined],
    ['http://127.0.0.1:4242/notify', undefined],
    ['shop.example/notify', '"shop.example/notify" is not a URL (did you mean https://shop.example/notify?)'],
    ['localhost:3000/n', '"localhost:3000/n" is not an http(s) URL (did you mean http://localhost:3000/n?)'],
    ['127.0.0.1:3000/n', '"127.0.0.1:3000/n" is not a URL (did you mean http://127.0.0.1:3000/n?)'],
    ['ftp://shop.example/n', '"ftp://shop.example/n" is not an http(s) URL'],
    ['nope', '"nope" is not a URL'],
    ['javascript:alert(1)', '"javascript:alert(1)" is not an http(s) URL'],
    ['mailto:pay@shop.example', '"mailto:pay@shop.example" is not an http(s) URL'],
    ['', '"" is not a URL'],
  ])('%j', (value, problem) => {
    expect(checkWebUrl(value)).toBe(problem);
  });
});

describe('durationHint', () => {
  it.each([
    ['5s', 'ms', ' (did you mean 5000?)'],
    ['2m', 'ms', ' (did you mean 120000?)'],
    ['1500ms', 'ms', ' (did you mean 1500?)'],
    ['5m', 's', ' (did you mean 300?)'],
    ['1h', 's', ' (did you mean 3600?)'],
    ['2 min', 's', ' (did you mean 120?)'],
    ['1500ms', 's', ''],
    ['0s', 'ms', ''],
    ['5', 'ms', ''],
    ['5 seconds', 's', ''],
    ['1.5s', 'ms', ''],
  ] as const)('%j in %s', (text, unit, hint) => {
    expect(durationHint(text, unit)).toBe(hint);
  });

  it('names no value over the flag\'s limit', () => {
    expect(durationHint('24h', 's', 86400)).toBe(' (did you mean 86400?)');
    expect(durationHint('25h', 's', 86400)).toBe('');
  });

  it('is part of the timeout check', () => {
    expect(checkTimeout('30s')).toBe('timeout must be a whole number of milliseconds from 1 to 99999999, got "30s" (did you mean 30000?)');
    expect(checkTimeout('30000')).toBeUndefined();
  });
});
