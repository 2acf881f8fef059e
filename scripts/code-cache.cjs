// Writes the V8 code cache of the CLI bundle (dist/cli-<build id>.cache), made after running the
// commands that scripts call in loops, so the functions they need are in it. Run by build.mjs
// with stdout and stderr discarded, a throwaway config folder and a dummy key.
const fs = require('node:fs');
const { load } = require('../bin/iotpay.js');

(async () => {
  const { cli, script, cacheFile } = load();
  if (!cacheFile) throw new Error('dist/cli.cjs has no build id line');
  const runs = [
    ['sign', 'amount=1', 'mchId=1'],
    ['verify', 'amount=1&mchId=1&sign=00000000000000000000000000000000'],
    ['--help'],
    ['create', '--dry-run', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'https://shop.example/notify'],
  ];
  for (const argv of runs) await cli.main(argv);
  fs.writeFileSync(cacheFile, script.createCachedData());
  process.exitCode = 0;
})();
