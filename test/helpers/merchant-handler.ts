// A merchant's notify handler on 127.0.0.1:0 that answers "success" and counts the calls it gets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MerchantHandler {
  url: string;
  calls: () => number;
  close: () => Promise<void>;
}

export async function startMerchantHandler(): Promise<MerchantHandler> {
  let calls = 0;
  const server = http.createServer((_req, res) => {
    calls++;
    res.end('success');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls: () => calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
