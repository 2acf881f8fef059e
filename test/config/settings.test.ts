// URL settings and flags: what is refused, and the URL a scheme-less one surely meant.
import { describe, expect, it } from 'vitest';
import { checkWebUrl } from '../../src/config/settings.js';

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
