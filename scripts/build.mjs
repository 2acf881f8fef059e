// Builds dist/: an esbuild bundle split per command (lazy chunks) plus type declarations from tsc.
// --if-stale skips the work when nothing under src/ changed since the last build.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
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

const inputs = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'].map((p) => path.join(root, p));
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
const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { __IOTPAY_VERSION__: JSON.stringify(pkg.version) },
  // Imported into every entry and lazy chunk, so the modules nearly every command needs share one chunk.
  inject: ['src/startup-modules.ts'],
  plugins: [deferChildProcess],
  logLevel: 'warning',
});
// Which sources each output file holds: tests use it to check what a command loads.
const chunkInputs = Object.fromEntries(
  Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, out]) => [file.replace(/^dist\//, ''), Object.keys(out.inputs)]),
);
fs.writeFileSync(path.join(root, 'dist', 'chunks.json'), JSON.stringify(chunkInputs, null, 1));

// Bundled CommonJS packages call require() for Node built-ins through esbuild's shim; give the
// chunk that defines the shim a real require (not every chunk: each import costs a start).
const REQUIRE_BANNER = "import{createRequire as __iotpayRequire}from'node:module';const require=__iotpayRequire(import.meta.url);\n";
for (const dirName of ['dist', 'dist/chunks']) {
  for (const file of fs.readdirSync(path.join(root, dirName))) {
    if (!file.endsWith('.js')) continue;
    const full = path.join(root, dirName, file);
    const code = fs.readFileSync(full, 'utf8');
    // esbuild's require shim (found by its error text: names are minified) looks for `require`
    // in the scope of the chunk that defines it.
    if (code.includes('Dynamic require of "')) fs.writeFileSync(full, REQUIRE_BANNER + code);
  }
}
try {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--emitDeclarationOnly'], {
    stdio: 'inherit',
  });
} catch {
  console.error('build: type errors above');
  process.exit(1);
}
fs.writeFileSync(stamp, new Date().toISOString() + '\n');
