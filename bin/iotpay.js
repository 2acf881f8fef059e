#!/usr/bin/env node
// Shebang shim (CommonJS, see bin/package.json: Node starts it without its ES module loader):
// hands argv and the process streams to the bundled entry.
require('../dist/cli.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
