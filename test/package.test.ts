// What `npm pack` (and so `npm publish` and `npx iotpay`) ships: the built bundle and the shim, built first.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

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
});
