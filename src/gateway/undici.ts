// The parts of undici the CLI uses, imported file by file: the package index also loads fetch,
// WebSocket and cache code, which doubled the time `create` spent starting.
import type { Dispatcher as DispatcherType } from 'undici';
import api from 'undici/lib/api/index.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';

// What undici's index does: give every dispatcher request(), connect() (used by proxies), etc.
Object.assign(Dispatcher.prototype, api);

export { Agent, EnvHttpProxyAgent };

export interface RequestInit {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  headersTimeout?: number;
  bodyTimeout?: number;
}

/** undici's request() on an explicit dispatcher. */
export function request(dispatcher: DispatcherType, url: URL, init: RequestInit): Promise<DispatcherType.ResponseData> {
  return dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: init.method,
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
    ...(init.headersTimeout ? { headersTimeout: init.headersTimeout } : {}),
    ...(init.bodyTimeout ? { bodyTimeout: init.bodyTimeout } : {}),
  });
}
