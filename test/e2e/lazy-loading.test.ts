// sign, verify and --help must not load the HTTP client, prompts, QR code, config writer or servers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, baseEnv } from '../helpers/cli.js';

const HOOK = path.join(ROOT, 'test', 'helpers', 'load-hook.cjs');
const HEAVY: Array<[string, RegExp]> = [
  ['undici', /node_modules\/undici\//],
  ['@inquirer/prompts', /node_modules\/@inquirer\//],
  ['qrcode-terminal', /node_modules\/qrcode-terminal\//],
  ['qrcode', /node_modules\/qrcode\//],
  ['conf', /node_modules\/(conf|ajv)/],
  ['chalk (piped, no colour)', /node_modules\/chalk\//],
  // The mock and the listener are the only users of Node's HTTP server modules.
  ['server code (node:http)', /^node:(http|https|_http_server)$/],
];

/** Every file and built-in module a command run loaded. */
function loaded(args: string[], env: Record<string, string> = {}): string[] {
  const r = spawnSync(process.execPath, ['--require', HOOK, BIN, ...args], { env: baseEnv({ IOTPAY_KEY: 'K3yForT3st1ng-long', ...env }), encoding: 'utf8' });
  return [...r.stderr.matchAll(/IOTPAY_LOADED (\S+)/g)].map((m) => m[1]!.replace(/^file:\/\//, ''));
}

describe('what a command loads', () => {
  it.each([
    ['sign', ['sign', 'amount=1', 'mchId=1']],
    ['verify', ['verify', 'amount=1&sign=ABC']],
    ['--help', ['--help']],
    ['sign --explain', ['sign', '--explain', 'a=1']],
    ['create --dry-run', ['create', '--dry-run', '-c', 'WX_NATIVE', '-a', '1', '--notify-url', 'https://x.example/n']],
  ])('%s loads none of the heavy modules', (_name, args) => {
    const files = loaded(args, { IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'j' });
    expect(files.some((f) => f.endsWith('bin/iotpay.js'))).toBe(true);
    for (const [name, pattern] of HEAVY) expect(files.filter((f) => pattern.test(f)), name).toEqual([]);
  });

  it('--help does not even load node:crypto; sign does (built-ins are seen)', () => {
    expect(loaded(['--help'])).not.toContain('node:crypto');
    expect(loaded(['sign', 'a=1'])).toContain('node:crypto');
  });

  it('the inspection sees heavy modules when they are loaded (the check can fail)', () => {
    const files = loaded(['qr', 'hello']);
    expect(files.some((f) => /node_modules\/qrcode-terminal\//.test(f))).toBe(true);
  });
});

describe('the V8 code cache of the bundle', () => {
  const cacheOf = (dist: string) => fs.readdirSync(dist).find((f) => /^cli-\w+\.cache$/.test(f));

  it('is made by the build and named after the build id on the bundle first line', () => {
    const dist = path.join(ROOT, 'dist');
    const id = /^\/\/ iotpay build (\w+)/.exec(fs.readFileSync(path.join(dist, 'cli.cjs'), 'utf8'))?.[1];
    expect(id).toBeDefined();
    expect(cacheOf(dist)).toBe(`cli-${id}.cache`);
  });

  it('a corrupt or missing cache only costs time: the same output, ES module imports included', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'iotpay-cache-'));
    try {
      for (const dir of ['bin', 'dist']) fs.cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      const run = (args: string[]) => spawnSync(process.execPath, [path.join(copy, 'bin', 'iotpay.js'), ...args], { env: baseEnv({ IOTPAY_KEY: 'K3yForT3st1ng-long' }), encoding: 'utf8' });
      const expected = [spawnSync(process.execPath, [BIN, 'sign', 'amount=1', 'mchId=1'], { env: baseEnv({ IOTPAY_KEY: 'K3yForT3st1ng-long' }), encoding: 'utf8' }).stdout];
      const cache = path.join(copy, 'dist', cacheOf(path.join(copy, 'dist'))!);
      fs.writeFileSync(cache, Buffer.alloc(4096, 7));
      for (const args of [['sign', 'amount=1', 'mchId=1'], ['qr', 'hello']]) {
        const r = run(args);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        if (args[0] === 'sign') expect([r.stdout]).toEqual(expected);
        else expect(r.stdout).toMatch(/▄/);
      }
      fs.rmSync(cache);
      const r = run(['sign', 'amount=1', 'mchId=1']);
      expect([r.status, r.stdout]).toEqual([0, expected[0]]);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
