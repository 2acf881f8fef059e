// The browser opener of `create --web`: which command opens a URL, and what is never handed to one.
import { describe, expect, it } from 'vitest';
import { browserCommand, openInBrowser } from '../src/browser.js';

const URL_WITH_QUERY = 'https://pay.example/checkout?a=1&b=2';

describe('browserCommand', () => {
  it.each([
    ['linux', {}, ['xdg-open', [URL_WITH_QUERY]]],
    ['darwin', {}, ['open', [URL_WITH_QUERY]]],
    // Not `cmd /c start`: cmd would read the & in the query as a command separator.
    ['win32', {}, ['rundll32', ['url.dll,FileProtocolHandler', URL_WITH_QUERY]]],
    ['linux', { BROWSER: 'firefox' }, ['firefox', [URL_WITH_QUERY]]],
    ['darwin', { BROWSER: '  open -a Safari ' }, ['open', ['-a', 'Safari', URL_WITH_QUERY]]],
    ['linux', { BROWSER: '' }, ['xdg-open', [URL_WITH_QUERY]]],
  ] as const)('%s with %j', (platform, env, expected) => {
    expect(browserCommand(env, URL_WITH_QUERY, platform)).toEqual(expected);
  });
});

describe('openInBrowser', () => {
  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'alipays://platformapi/startapp', 'not a url', ''])('never starts a browser on %j', async (url) => {
    // BROWSER would fail loudly if it were started.
    expect(await openInBrowser({ BROWSER: '/nonexistent/browser' }, url)).toBe('it is not an http(s) URL');
  });

  it('says which command could not be started', async () => {
    expect(await openInBrowser({ BROWSER: '/nonexistent/browser --new-window' }, 'https://pay.example/')).toBe('/nonexistent/browser: not found (from BROWSER)');
  });
});
