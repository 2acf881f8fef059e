#!/usr/bin/env node
'use strict';
// Shebang shim (CommonJS, see bin/package.json: Node starts it without its ES module loader).
// It compiles the bundle itself, with the V8 code cache the build made beside it: a short
// command otherwise spends about a sixth of its time compiling dist/cli.cjs. V8 rejects a cache
// made by another Node version or under other flags, and the bundle then compiles as usual; the
// cache is named after the bundle's build id, so a rebuilt bundle never meets an old cache.
// An older Node than package.json's engines: one line saying so, not a missing-API error from deep inside.
const MIN_NODE = '20.18.1';
const [major, minor, patch] = process.versions.node.split('.').map(Number);
const [needMajor, needMinor, needPatch] = MIN_NODE.split('.').map(Number);
if (major < needMajor || (major === needMajor && (minor < needMinor || (minor === needMinor && patch < needPatch)))) {
  process.stderr.write(`error: iotpay needs Node.js ${MIN_NODE} or newer, and this is ${process.versions.node}; install a newer Node (https://nodejs.org)\n`);
  process.exit(2);
}

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const dist = path.join(__dirname, '..', 'dist');
const file = path.join(dist, 'cli.cjs');

/** Compiles and runs dist/cli.cjs as Node would a CommonJS module; returns its exports and script. */
function load() {
  const source = fs.readFileSync(file, 'utf8');
  const id = /^\/\/ iotpay build (\w+)/.exec(source)?.[1];
  const cacheFile = id ? path.join(dist, `cli-${id}.cache`) : undefined;
  let cachedData;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache: compile from source
  }
  // The wrapper shares the first line with the source, so line numbers in stack traces hold.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dist);
  // import() cannot run inside a vm.Script on Node 20 without --experimental-vm-modules: the
  // bundle loads its ES module dependencies through this module's import().
  bundle.exports.useImporter((specifier) => import(specifier));
  return { cli: bundle.exports, script, cacheFile };
}

/** With --verbose, the bundle is loaded by Node's own loader with source maps on, so stack traces name src/ lines. */
function loadMapped() {
  process.setSourceMapsEnabled(true);
  const cli = require(file);
  cli.useImporter((specifier) => import(specifier));
  return { cli };
}

if (require.main === module) {
  (process.argv.includes('--verbose') ? loadMapped() : load())
    .cli.main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
} else {
  module.exports = { load };
}
