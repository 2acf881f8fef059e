// Preloaded with --require: reports the process's peak RSS (KiB) on stderr when it exits.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nIOTPAY_BENCH_RSS=${process.resourceUsage().maxRSS}\n`);
});
