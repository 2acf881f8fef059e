// The browser opener of `create --web`: which command opens a URL, and what is never handed to one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('hands the browser the parsed URL: quotes and spaces percent-encoded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iotpay-browser-'));
    const got = path.join(dir, 'got');
    const script = path.join(dir, 'browser.sh');
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${got}.tmp' && mv '${got}.tmp' '${got}'\n`, { mode: 0o755 });
    try {
      expect(await openInBrowser({ BROWSER: script, PATH: process.env.PATH }, 'https://pay.example/a b?q="x"&r=1')).toBeUndefined();
      const deadline = Date.now() + 10_000;
      while (!fs.existsSync(got) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fs.readFileSync(got, 'utf8')).toBe('https://pay.example/a%20b?q=%22x%22&r=1');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which command could not be started', async () => {
    expect(await openInBrowser({ BROWSER: '/nonexistent/browser --new-window' }, 'https://pay.example/')).toBe('/nonexistent/browser: not found (from BROWSER)');
  });
});
