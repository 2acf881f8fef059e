// The built binary under hostile input and the canary key everywhere: exit 0, 2 or 4, one line, no stack, no hang.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/core/sign.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { json, startGatewayStub, type GatewayStub } from '../helpers/gateway-stub.js';

const CANARY = 'CANARY-k3y-0123456789-zz';
const dir = tempDir();
const env = { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: CANARY };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

const signed = (fields: Record<string, unknown>) => ({ ...fields, sign: sign(fields as never, CANARY) });

describe('sign and verify with hostile input', () => {
  const cases: Array<[string, string[], string | Buffer | undefined, number[]]> = [
    ['deeply nested JSON on stdin', ['sign', '-'], '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000), [2]],
    ['deeply nested array', ['verify', '-'], '['.repeat(50_000) + ']'.repeat(50_000), [2]],
    ['BOM and CRLF file', ['sign', '--file', file('bom.json', '\uFEFF{"a":"1"}\r\n')], undefined, [0]],
    ['invalid UTF-8 file', ['verify', '--file', file('bad.txt', Buffer.from([0x61, 0x3d, 0xff, 0x26, 0x73, 0x69, 0x67, 0x6e, 0x3d, 0x41]))], undefined, [2]],
    ['NUL bytes', ['sign', '-'], 'a=\u0000&b=1', [0]],
    ['duplicate query fields', ['verify', 'amount=1&amount=100&sign=ABC'], undefined, [2]],
    ['5 MB --file', ['sign', '--file', file('big.json', JSON.stringify({ a: 'x'.repeat(5 * 1024 * 1024) }))], undefined, [2]],
    ['5 MB stdin', ['verify', '-'], 'a='.padEnd(5 * 1024 * 1024, 'y'), [2]],
    ['900 KB value verified', ['verify', '-'], JSON.stringify(signed({ a: 'z'.repeat(900_000) })), [0]],
    ['forged 900 KB value', ['verify', '-'], JSON.stringify({ ...signed({ a: 'z'.repeat(900_000) }), a: 'q' }), [4]],
    ['params form with nested JSON', ['verify', `params=${encodeURIComponent(JSON.stringify({ a: { b: 1 }, sign: 'X' }))}`], undefined, [2]],
    ['URL with fragment and IPv6 host', ['verify', `http://[::1]:8080/n?${new URLSearchParams(signed({ a: '1' }) as never)}#frag`], undefined, [0]],
    ['a JSON string', ['sign', '"hello"'], undefined, [2]],
    ['control characters only', ['sign', '-'], '\u0001\u0002\u0003', [2]],
    ['a directory as --file', ['sign', '--file', dir], undefined, [2]],
  ];
  it.each(cases)('%s', async (_name, args, input, codes) => {
    const started = Date.now();
    const r = await runCli(args, { env, input });
    expect(codes, r.stderr).toContain(r.code);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (r.code !== 0) {
      const errorLines = r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
      expect(errorLines).toHaveLength(1);
    }
  });

  it('a reader that stops early (EPIPE) is not an error', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, baseEnv } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [BIN, 'sign', '--explain', ...Array.from({ length: 2000 }, (_, i) => `f${i}=${'v'.repeat(50)}`)], { env: baseEnv(env) });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('the canary key never appears', () => {
  let stub: GatewayStub;
  beforeAll(async () => {
    stub = await startGatewayStub();
    stub.handle((req, res) =>
      req.url.endsWith('create_order')
        ? json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P1', mchOrderNo: req.params?.mchOrderNo, codeUrl: 'weixin://c' }, CANARY)
        : json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', status: 2, mchOrderNo: 'C1' }, CANARY),
    );
  });
  afterAll(() => stub.close());

  it('in output, errors, --dry-run, --json, --verbose and history, from env, flag or profile', async () => {
    const cfg = path.join(dir, 'canary');
    const base = { IOTPAY_CONFIG_DIR: cfg, IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'j', IOTPAY_BASE_URL: stub.baseUrl };
    await runCli(['config', 'set', 'key', '-'], { env: base, input: CANARY });
    const create = ['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'https://shop.example/n'];
    const runs = [
      ['--verbose', ...create],
      ['--verbose', ...create, '--json'],
      ['--verbose', ...create, '--dry-run'],
      ['--verbose', ...create, '--dry-run', '--json'],
      ['--verbose', 'query', '--mch-order-no', 'C1', '--json'],
      ['--verbose', 'sign', '--explain', '--json', 'a=1'],
      ['--verbose', 'verify', 'a=1&sign=BAD'],
      ['--verbose', 'config', 'list', '--json'],
      ['--verbose', 'config', 'get', 'key'],
      ['history', '--json'],
      ['--verbose', '--key', CANARY, 'sign', 'a=1'],
      ['--verbose', ...create, '--amount', '1.5'],
      ['--verbose', 'create', '-c', 'WX_NATIVE', '-a', '1', '--notify-url', 'https://x.example', '--base-url', 'http://127.0.0.1:9/v1'],
    ];
    for (const args of runs) {
      for (const extra of [{}, { IOTPAY_KEY: CANARY }]) {
        const r = await runCli(args, { env: { ...base, ...extra } });
        expect(r.stdout, args.join(' ')).not.toContain(CANARY);
        expect(r.stderr, args.join(' ')).not.toContain(CANARY);
      }
    }
    const history = fs.readFileSync(path.join(cfg, 'history.jsonl'), 'utf8');
    expect(history.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(4);
    expect(history).not.toContain(CANARY);
  });
});
