// Network faults for create and query, from loopback servers that misbehave on purpose.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/sign.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { json, startGatewayStub, type GatewayStub } from '../helpers/gateway-stub.js';

const KEY = 'CANARY-k3y-0123456789-zz';
const dir = tempDir();
let stub: GatewayStub;
beforeAll(async () => {
  stub = await startGatewayStub();
});
afterAll(async () => {
  await stub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = (baseUrl: string, extra: Record<string, string> = {}) => ({
  IOTPAY_CONFIG_DIR: dir,
  IOTPAY_KEY: KEY,
  IOTPAY_MCH_ID: '1',
  IOTPAY_JOB_NO: 'j',
  IOTPAY_BASE_URL: baseUrl,
  IOTPAY_TIMEOUT: '1500',
  ...extra,
});
const CREATE = ['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'https://shop.example/n', '--mch-order-no', 'FAULT-1'];
const QUERY = ['query', '--mch-order-no', 'FAULT-1'];

type Fault = [string, (res: http.ServerResponse) => void, RegExp];
const faults: Fault[] = [
  ['slow headers', () => {}, /within 1500 ms \(timeout\)/],
  [
    'a trickled body',
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
      res.on('close', () => clearInterval(timer));
    },
    /within 1500 ms \(timeout\)/,
  ],
  [
    'a reset mid-body',
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"retCode":"SUCC');
      setTimeout(() => res.socket?.destroy(), 20);
    },
    /was reset|failed/,
  ],
  ['HTTP 500', (res) => json(res, { error: 'x' }, undefined, 500), /answered HTTP 500/],
  ['HTTP 502', (res) => { res.writeHead(502); res.end('Bad Gateway'); }, /answered HTTP 502: Bad Gateway/],
  ['HTTP 404', (res) => { res.writeHead(404); res.end(); }, /answered HTTP 404 for \/v1\/(create|query)_order/],
  ['an HTML error page', (res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!DOCTYPE html><title>Error</title>'); }, /is not JSON \(it starts "<!DOCTYPE html>/],
  ['truncated JSON', (res) => { res.writeHead(200); res.end('{"retCode":"SUCCESS","payOrderId":"P'); }, /is not JSON/],
  ['a JSON array', (res) => { res.writeHead(200); res.end('[1,2]'); }, /JSON but not an object/],
  [
    'a 10 MB body',
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    },
    /larger than 1 MiB/,
  ],
  ['a 10 MB body, declared', (res) => { res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }); res.write('{'); }, /larger than 1 MiB/],
  ['a redirect to another host', (res) => { res.writeHead(307, { location: 'https://elsewhere.example/v1/create_order' }); res.end(); }, /HTTP 307 \(redirect to https:\/\/elsewhere\.example\/v1\/create_order\): not followed/],
];

describe.each([
  ['create', CREATE],
  ['query', QUERY],
])('%s under network faults', (command, args) => {
  it.each(faults)('%s: exit 3, one line, no stack', async (name, fault, message) => {
    stub.handle((_req, res) => fault(res));
    const started = Date.now();
    const r = await runCli(args, { env: env(stub.baseUrl) });
    expect(r.code, `${name}: ${r.stderr}`).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(8000);
    if (command === 'create' && name === 'HTTP 404') {
      // Nothing at that address serves create_order: no order to look for.
      expect(r.stderr).toContain('nothing there creates orders, so none was created (mchOrderNo FAULT-1 is unused)');
    } else if (command === 'create') {
      expect(r.stderr).toContain('mchOrderNo FAULT-1');
      expect(r.stderr).toContain('check with: iotpay query --mch-order-no FAULT-1');
    }
  });
});

describe('a wrong base URL', () => {
  it('a 404 names the path it asked for and says to check the base URL', async () => {
    stub.handle((_req, res) => json(res, { error: 'no such endpoint' }, undefined, 404));
    const r = await runCli(QUERY, { env: env(stub.baseUrl) });
    expect(r.code).toBe(3);
    const host = new URL(stub.baseUrl).host;
    expect(r.stderr).toBe(`error: ${host} answered HTTP 404 for /v1/query_order: {"error":"no such endpoint"}; check the base URL (${stub.baseUrl}): nothing there serves query_order\n`);
    // The usual mistake: the base URL without its /v1.
    const bare = `http://${host}`;
    const noV1 = await runCli(QUERY, { env: env(`${bare}/`) });
    expect(noV1.code).toBe(3);
    expect(noV1.stderr).toBe(
      `error: ${host} answered HTTP 404 for /query_order: {"error":"no such endpoint"}; the base URL ${bare} has no /v1 (as in https://api.iotpaycloud.com/v1): try ${bare}/v1\n`,
    );
    // create and refund: nothing was acted on, so the same number may be used again; the hint stays.
    const create = await runCli(CREATE, { env: env(bare) });
    expect(create.code).toBe(3);
    expect(create.stderr).toBe(
      `error: ${host} answered HTTP 404 for /create_order: {"error":"no such endpoint"}; nothing there creates orders, so none was created (mchOrderNo FAULT-1 is unused); the base URL ${bare} has no /v1 (as in https://api.iotpaycloud.com/v1): try ${bare}/v1\n`,
    );
    const refund = await runCli(['refund', '--pay-order-id', 'P1', '-a', '100', '--yes', '--no-check'], { env: env(bare) });
    expect(refund.code).toBe(3);
    expect(refund.stderr).toMatch(/answered HTTP 404 for \/refund_order: .*; nothing there makes refunds, so none was made; the base URL .* has no \/v1/);
    // doctor's fix line is the same hint.
    const doctor = await runCli(['doctor', '--json'], { env: env(bare) });
    expect(doctor.code).toBe(3);
    expect(JSON.parse(doctor.stdout).find((c: { id: string }) => c.id === 'http')).toMatchObject({
      status: 'fail',
      fix: `the base URL ${bare} has no /v1 (as in https://api.iotpaycloud.com/v1): try ${bare}/v1`,
    });
  });
});

describe('redirects', () => {
  it('never re-sends the params to the redirect target', async () => {
    const other = await startGatewayStub();
    try {
      stub.handle((_req, res) => {
        res.writeHead(308, { location: `${other.baseUrl}/create_order` });
        res.end();
      });
      const r = await runCli(CREATE, { env: env(stub.baseUrl) });
      expect(r.code).toBe(3);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

/** A self-signed certificate for `name` (an IP address or a host name), made with openssl when it is there. */
function makeCert(folder: string, name = '127.0.0.1'): { cert: string; key: string } | undefined {
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${name}`, '-addext', `subjectAltName=${/^[\d.]+$/.test(name) ? 'IP' : 'DNS'}:${name}`,
      '-keyout', path.join(folder, 'key.pem'), '-out', path.join(folder, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') };
  } catch {
    return undefined;
  }
}

/** An https gateway on loopback with `cert`, answering every create_order with a signed SUCCESS and `codeUrl`. */
async function tlsGateway(cert: { cert: string; key: string }, codeUrl: string): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer({ cert: fs.readFileSync(cert.cert), key: fs.readFileSync(cert.key) }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const params = JSON.parse(new URLSearchParams(body).get('params')!);
      const answer = { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P1', mchOrderNo: params.mchOrderNo, codeUrl };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...answer, sign: sign(answer, KEY) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('https with a self-signed certificate on loopback', () => {
  const files = makeCert(dir);
  it.skipIf(!files)('is refused with a clear message, and trusted with --ca-file', async () => {
    const { server, port } = await tlsGateway(files!, 'weixin://tls');
    const baseUrl = `https://127.0.0.1:${port}/v1`;
    try {
      const refused = await runCli(CREATE, { env: env(baseUrl) });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); pass --ca-file/);
      expect(refused.stderr).toContain('nothing was sent, so no order was created (mchOrderNo FAULT-1 is unused)');
      const trusted = await runCli([...CREATE, '--ca-file', files!.cert, '--json'], { env: env(baseUrl) });
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(JSON.parse(trusted.stdout).payment.value).toBe('weixin://tls');
      const missing = await runCli([...CREATE, '--ca-file', path.join(dir, 'nope.pem')], { env: env(baseUrl) });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(`error: cannot read --ca-file ${path.join(dir, 'nope.pem')}: no such file\n`);
      expect((await runCli([...CREATE, '--ca-file', dir], { env: env(baseUrl) })).stderr).toBe(`error: cannot read --ca-file ${dir}: it is a folder, not a file\n`);
      // Another CA's certificate: still refused, and the message does not ask for the flag that was given.
      const otherDir = fs.mkdtempSync(path.join(dir, 'other-ca-'));
      const other = makeCert(otherDir)!;
      const wrongCa = await runCli([...CREATE, '--ca-file', other.cert], { env: env(baseUrl) });
      expect(wrongCa.code).toBe(3);
      expect(wrongCa.stderr).toMatch(
        new RegExp(`^error: TLS certificate of 127\\.0\\.0\\.1:\\d+ is not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\), not even with --ca-file ${other.cert.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: that file does not hold the CA that signed it; nothing was sent`),
      );
      // A DER certificate (or any file that is not PEM) is refused before anything is sent, not at the handshake.
      const der = path.join(dir, 'ca.der');
      execFileSync('openssl', ['x509', '-in', files!.cert, '-outform', 'der', '-out', der]);
      const notPem = await runCli([...CREATE, '--ca-file', der], { env: env(baseUrl) });
      expect(notPem.code).toBe(2);
      expect(notPem.stderr).toBe(
        `error: --ca-file ${der} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line); give the CA certificate in PEM form; convert a DER one with: openssl x509 -inform der -in ca.cer -out ca.pem\n`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('data safety', () => {
  it('concurrent creates never lose or interleave a history line', async () => {
    const historyDir = path.join(dir, 'concurrent');
    stub.handle((req, res) =>
      setTimeout(() => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: `P-${String(req.params?.mchOrderNo)}`, mchOrderNo: req.params?.mchOrderNo, codeUrl: 'weixin://x'.padEnd(4000, 'x') }, KEY), 5),
    );
    const runs = Array.from({ length: 8 }, (_, i) =>
      runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'https://shop.example/n', '--mch-order-no', `CC-${i}`, '--json'], {
        env: { ...env(stub.baseUrl), IOTPAY_CONFIG_DIR: historyDir },
      }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const lines = fs.readFileSync(path.join(historyDir, 'history.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
    const ids = lines.map((l) => JSON.parse(l).request.mchOrderNo).sort();
    expect(ids).toEqual(Array.from({ length: 8 }, (_, i) => `CC-${i}`));
  });
});

describe('proxies from the environment', () => {
  const certDir = fs.mkdtempSync(path.join(dir, 'proxy-'));
  const files = makeCert(certDir, 'gateway.test');
  it.skipIf(!files)('a gateway off loopback is reached through HTTPS_PROXY (CONNECT), a NO_PROXY host directly', async () => {
    const net = await import('node:net');
    // The gateway: https, a certificate for gateway.test, on this machine.
    const { server: gateway, port } = await tlsGateway(files!, 'weixin://proxied');
    // The proxy: tunnels CONNECT gateway.test:<port> to the gateway, as a corporate proxy would to the real one.
    const seen: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: import('node:net').Socket, head: Buffer) => {
      seen.push(`CONNECT ${req.url}`);
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const base = `https://gateway.test:${port}/v1`;
      const through = await runCli([...CREATE, '--ca-file', files!.cert, '--json'], { env: env(base, { HTTPS_PROXY: proxyUrl }) });
      expect(through.code, through.stderr).toBe(0);
      expect(JSON.parse(through.stdout).payment.value).toBe('weixin://proxied');
      expect(seen).toEqual([`CONNECT gateway.test:${port}`]);
      // doctor behind the proxy: this machine cannot resolve gateway.test, the proxy can; that is a warning, and
      // the request check goes on (it stopped there, exit 3, with every later check skipped).
      const doctor = await runCli(['doctor', '--json', '--ca-file', files!.cert], { env: env(base, { HTTPS_PROXY: proxyUrl }) });
      const checks = JSON.parse(doctor.stdout) as Array<{ id: string; status: string; detail: string }>;
      expect(checks.find((c) => c.id === 'dns')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^cannot resolve gateway\.test here \((?:ENOTFOUND|EAI_AGAIN)\); requests go through the proxy 127\.0\.0\.1:\d+, which resolves it$/) });
      expect(checks.find((c) => c.id === 'http')).toMatchObject({ status: 'pass' });
      expect(doctor.code, doctor.stdout).toBe(0);
      // A proxy given without its scheme (HTTPS_PROXY=proxy.corp:3128, common) is http://, as curl reads it.
      const bare = await runCli([...CREATE, '--ca-file', files!.cert, '--json'], { env: env(base, { HTTPS_PROXY: new URL(proxyUrl).host }) });
      expect(bare.code, bare.stderr).toBe(0);
      expect(seen.at(-1)).toBe(`CONNECT gateway.test:${port}`);
      const proxied = seen.length;
      // NO_PROXY: straight to gateway.test, which this machine cannot resolve; the proxy sees nothing.
      const direct = await runCli([...CREATE, '--ca-file', files!.cert], { env: env(base, { HTTPS_PROXY: proxyUrl, NO_PROXY: 'gateway.test' }) });
      expect(direct.code).toBe(3);
      expect(seen).toHaveLength(proxied);
      // A gateway on loopback (a local mock) is never sent through the proxy, which cannot reach this machine.
      stub.handle((req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P2', mchOrderNo: req.params?.mchOrderNo, codeUrl: 'weixin://local' }, KEY));
      const local = await runCli([...CREATE, '--json'], { env: env(stub.baseUrl, { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl }) });
      expect(local.code, local.stderr).toBe(0);
      expect(JSON.parse(local.stdout).payment.value).toBe('weixin://local');
      expect(seen).toHaveLength(proxied);
    } finally {
      gateway.closeAllConnections();
      await new Promise<void>((r) => gateway.close(() => r()));
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('a proxy that refuses or has no such host is named as the proxy; a value that is no URL is exit 2', async () => {
    // gateway.test resolves nowhere: nothing here can reach a real gateway.
    const base = 'https://gateway.test/v1';
    const refused = await runCli(CREATE, { env: env(base, { HTTPS_PROXY: 'http://127.0.0.1:9' }) });
    expect(refused.code).toBe(3);
    // It said "connection to gateway.test refused": the gateway was never contacted.
    expect(refused.stderr).toBe('error: connection to the proxy 127.0.0.1:9 (from HTTPS_PROXY) refused; nothing was sent, so no order was created (mchOrderNo FAULT-1 is unused)\n');
    const malformed = await runCli(CREATE, { env: env(base, { HTTPS_PROXY: 'not a url' }) });
    expect(malformed.code).toBe(2);
    // It was "unexpected failure: Invalid URL", exit 1.
    expect(malformed.stderr).toBe('error: HTTPS_PROXY "not a url" is not a proxy URL; set it like http://proxy.example:3128, or unset it\n');
    // Only the variable for the gateway's scheme matters: an odd HTTP_PROXY does not stop an https gateway, nor an
    // odd HTTPS_PROXY a local (loopback, never proxied) one.
    const oddHttp = await runCli(CREATE, { env: env(base, { HTTP_PROXY: 'not a url', HTTPS_PROXY: 'http://127.0.0.1:9' }) });
    expect(oddHttp.stderr).toMatch(/^error: connection to the proxy 127\.0\.0\.1:9 \(from HTTPS_PROXY\) refused/);
    stub.handle((req, res) => json(res, { retCode: 'FAIL', retMsg: 'order does not exist' }));
    const local = await runCli(QUERY, { env: env(stub.baseUrl, { HTTPS_PROXY: 'not a url', HTTP_PROXY: 'not a url' }) });
    expect(local.stderr).toBe('error: query_order FAIL: order does not exist\n');
    const lower = await runCli(QUERY, { env: env(base, { https_proxy: 'ftp://127.0.0.1:9' }) });
    expect(lower.code).toBe(2);
    expect(lower.stderr).toMatch(/^error: https_proxy "ftp:\/\/127\.0\.0\.1:9" is not a proxy URL/);
    // A SOCKS5 proxy is one undici speaks (Node warns that it is experimental): taken, and named when it refuses.
    const socks = await runCli(QUERY, { env: env(base, { HTTPS_PROXY: 'socks5://127.0.0.1:9' }) });
    expect(socks.code).toBe(3);
    expect(socks.stderr).toMatch(/^error: connection to the proxy 127\.0\.0\.1:9 \(from HTTPS_PROXY\) refused/m);
  });
});
