// The URL a server's banner gives its clients.
import { describe, expect, it } from 'vitest';
import { hostForUrl } from '../../src/servers/http-util.js';

describe('hostForUrl', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['192.168.1.20', '192.168.1.20'],
    // All interfaces: reached on loopback, which the CLI accepts over plain http.
    ['0.0.0.0', '127.0.0.1'],
    ['::', '[::1]'],
    ['::1', '[::1]'],
    ['fe80::1', '[fe80::1]'],
    ['[::1]', '[::1]'],
  ])('%s → %s', (host, expected) => expect(hostForUrl(host)).toBe(expected));
});
