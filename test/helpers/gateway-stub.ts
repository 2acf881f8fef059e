// A scriptable gateway on 127.0.0.1:0 for client tests: records every request, answers as each test says.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign as signFields } from '../../src/core/sign.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The JSON inside the params= form field, when there is one. */
  params?: Record<string, unknown>;
}

export type StubHandler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

export interface GatewayStub {
  url: string;
  baseUrl: string;
  requests: RecordedRequest[];
  handle: (handler: StubHandler) => void;
  close: () => Promise<void>;
}

/** The seed's own sign on a response with a nested retParams, which no client can recompute. */
const NESTED_SIGN = 'AC0F46954BC50C12C0A3F3259E205854';

/** Answers with a JSON object, signed with `key` when given (nested values get an opaque sign, as the gateway's). */
export function json(res: http.ServerResponse, body: Record<string, unknown>, key?: string, status = 200): void {
  const nested = Object.values(body).some((v) => v !== null && typeof v === 'object');
  const out = key ? { ...body, sign: nested ? NESTED_SIGN : signFields(body as never, key) } : body;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(out));
}

export async function startGatewayStub(): Promise<GatewayStub> {
  let handler: StubHandler = (_req, res) => json(res, { retCode: 'FAIL', retMsg: 'no handler' });
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      const params = new URLSearchParams(body).get('params');
      if (params !== null) {
        try {
          recorded.params = JSON.parse(params);
        } catch {
          // left undefined: the test asserts on it
        }
      }
      requests.push(recorded);
      void Promise.resolve(handler(recorded, res)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    handle: (h) => (handler = h),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
