// sign, verify and --help must not load the HTTP client, prompts, QR, config writer or server code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, baseEnv } from '../helpers/cli.js';

const chunks: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'chunks.json'), 'utf8'));
const HOOK = path.join(ROOT, 'test', 'helpers', 'load-hook.mjs');
// Our own thin modules (the gateway client's code, prompt wrappers) may share the start-up chunk;
// the dependencies behind them and the servers may not.
const HEAVY = [/node_modules\/undici\//, /node_modules\/@inquirer\//, /node_modules\/qrcode-terminal\//, /node_modules\/qrcode\//, /node_modules\/conf\//, /node_modules\/ajv/, /src\/servers\//, /src\/gateway\/undici\.ts/, /node_modules\/chalk\//];

/** The source modules a command run loaded, from the bundle files it imported. */
function loadedSources(args: string[], env: Record<string, string> = {}): string[] {
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], { env: baseEnv({ IOTPAY_KEY: 'K3yForT3st1ng-long', ...env }), encoding: 'utf8' });
  const files = [...r.stderr.matchAll(/IOTPAY_LOADED (\S+)/g)].map((m) => path.relative(path.join(ROOT, 'dist'), fileURLToPath(m[1]!)));
  return files.filter((f) => !f.startsWith('..')).flatMap((f) => chunks[f] ?? [`unknown:${f}`]);
}

describe('what a command loads', () => {
  it.each([
    ['sign', ['sign', 'amount=1', 'mchId=1']],
    ['verify', ['verify', 'amount=1&sign=ABC']],
    ['--help', ['--help']],
    ['sign --explain (no TTY, no colour)', ['sign', '--explain', 'a=1']],
  ])('%s loads none of the heavy modules', (_name, args) => {
    const sources = loadedSources(args);
    expect(sources.some((s) => s.includes('src/cli.ts'))).toBe(true);
    for (const heavy of HEAVY) expect(sources.filter((s) => heavy.test(s)), String(heavy)).toEqual([]);
  });

  it('create loads the HTTP client only when it sends (not for --dry-run)', () => {
    const dry = loadedSources(['create', '--dry-run', '-c', 'WX_NATIVE', '-a', '1', '--notify-url', 'https://x.example/n'], { IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'j' });
    expect(dry.filter((s) => /undici|qrcode|@inquirer|conf\//.test(s))).toEqual([]);
  });

  it('the inspection sees heavy modules when they are loaded (the check can fail)', () => {
    const qr = loadedSources(['qr', 'hello']);
    expect(qr.some((s) => /node_modules\/qrcode-terminal\//.test(s))).toBe(true);
  });
});
