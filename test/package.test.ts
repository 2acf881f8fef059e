// What `npm pack` (and so `npm publish` and `npx iotpay`) ships: the built bundle and the shim, built first.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from './helpers/cli.js';

describe('the package', () => {
  it('builds before it is packed (dist/ is not in git), and ships the bundle and the shim, not the sources', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // A pack from a fresh clone would otherwise publish a binary whose dist/ is missing.
    expect(pkg.scripts.prepack).toMatch(/^node scripts\/build\.mjs\b/);
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
    const files = (packed.files as Array<{ path: string }>).map((f) => f.path);
    for (const needed of ['bin/iotpay.js', 'dist/cli.cjs', 'dist/index.js', 'dist/types/index.d.ts', 'package.json', 'README.md']) expect(files).toContain(needed);
    expect(files.some((f) => /^dist\/cli-[0-9a-f]+\.cache$/.test(f))).toBe(true);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('bench/'))).toEqual([]);
    expect(pkg.bin).toEqual({ iotpay: 'bin/iotpay.js' });
  });

  it('on a Node older than engines asks for a newer one in one line, exit 2', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const minimum = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)![1]!;
    // The shim's own copy of the minimum is the one in package.json.
    expect(fs.readFileSync(BIN, 'utf8')).toContain(`const MIN_NODE = '${minimum}';`);
    const dir = tempDir();
    try {
      const preload = path.join(dir, 'fake-node-version.cjs');
      fs.writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: process.env.FAKE_NODE_VERSION });\n");
      const run = (version: string) => {
        try {
          return { code: 0, out: execFileSync(process.execPath, ['--require', preload, BIN, '--version'], { env: { ...process.env, FAKE_NODE_VERSION: version }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
        } catch (err) {
          const e = err as { status: number; stderr: string };
          return { code: e.status, out: e.stderr };
        }
      };
      expect(run('18.19.0')).toEqual({ code: 2, out: `error: iotpay needs Node.js ${minimum} or newer, and this is 18.19.0; install a newer Node (https://nodejs.org)\n` });
      const [major, minor, patch] = minimum.split('.').map(Number) as [number, number, number];
      expect(run(`${major}.${minor}.${patch - 1}`).code).toBe(patch > 0 ? 2 : 0);
      expect(run(minimum)).toEqual({ code: 0, out: `${pkg.version}\n` });
      expect(run(`${major + 2}.0.0`).code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
