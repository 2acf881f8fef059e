#!/usr/bin/env node
// Shebang shim: hands argv and the process streams to the bundled entry.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
