// Builds dist/: an esbuild bundle split per command (lazy chunks) plus type declarations from tsc.
// --if-stale skips the work when nothing under src/ changed since the last build.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newestMtime(target) {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

const inputs = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts'].map((p) => path.join(root, p));
if (process.argv.includes('--if-stale') && fs.existsSync(stamp)) {
  const built = fs.statSync(stamp).mtimeMs;
  if (inputs.every((p) => !fs.existsSync(p) || newestMtime(p) <= built)) process.exit(0);
}

// commander requires node:child_process at load time for executable subcommands, which iotpay
// never uses; loading it (and dgram, net, socket lists) costs every start. Defer it to first use.
const deferChildProcess = {
  name: 'defer-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}commander${path.sep}`) ? { path: 'deferred-child-process', namespace: 'iotpay-defer' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'iotpay-defer' }, () => ({
      contents: "let cp; module.exports = new Proxy({}, { get(_, key) { cp ??= require('node:child_process'); return cp[key]; } });",
      loader: 'js',
    }));
  },
};

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.18',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { __IOTPAY_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

// The CLI: one CommonJS file with our code and commander. Every other dependency stays in
// node_modules and is loaded where it is used (import() for the ESM-only ones, require() for
// undici's files), and every command module is evaluated only when its command runs.
// CommonJS because Node 20 starts a CommonJS entry without its ES module loader: measured
// against the split ESM bundle it had, sign 1.35x -> 1.29x and --help 1.31x -> 1.24x of node -e 0.
// The first line names the build: bin/iotpay.js looks for dist/cli-<id>.cache, made below.
const buildId = randomBytes(6).toString('hex');
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outfile: 'dist/cli.cjs',
  format: 'cjs',
  banner: { js: `// iotpay build ${buildId}` },
  // For --verbose stack traces (bin/iotpay.js): src/ file and line, without shipping the sources.
  sourcemap: 'linked',
  sourcesContent: false,
  external: ['undici', 'undici/*', 'conf', '@inquirer/prompts', 'chalk', 'qrcode', 'qrcode-terminal', 'env-paths'],
  plugins: [deferChildProcess],
});

// The library (`import { sign } from 'iotpay-cli'`): ES module, the signing core only.
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist', format: 'esm' });

try {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--emitDeclarationOnly'], {
    stdio: 'inherit',
  });
} catch {
  console.error('build: type errors above');
  process.exit(1);
}
// The V8 code cache of the bundle, for the Node that builds it (bin/iotpay.js explains).
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'iotpay-build-'));
try {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'code-cache.cjs')], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '', IOTPAY_CONFIG_DIR: scratch, IOTPAY_KEY: 'code-cache-dummy-key', IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'build', NO_COLOR: '1' },
  });
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
if (!fs.existsSync(path.join(root, 'dist', `cli-${buildId}.cache`))) {
  console.error('build: the code cache was not written');
  process.exit(1);
}
fs.writeFileSync(stamp, new Date().toISOString() + '\n');
