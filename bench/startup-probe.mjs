// Quick probe: median wall time of commands, interleaved. Usage: node bench/startup-probe.mjs [runs]
import { spawnSync } from 'node:child_process';
const runs = Number(process.argv[2] ?? 20);
const env = { ...process.env, IOTPAY_KEY: 'K3yForT3st1ng-long', IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'j', IOTPAY_CONFIG_DIR: '/tmp/iotb' };
const cmds = {
  node0: ['-e', '0'],
  sign: ['bin/iotpay.js', 'sign', 'amount=1', 'mchId=1'],
  help: ['bin/iotpay.js', '--help'],
  dry: ['bin/iotpay.js', 'create', '--dry-run', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'https://x.example/n'],
};
const times = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cmds)) {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  times[k].push(Number(process.hrtime.bigint() - t) / 1e6);
}
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = med(times.node0);
for (const k of Object.keys(cmds)) console.log(k.padEnd(6), med(times[k]).toFixed(1), 'ms', (med(times[k]) / base).toFixed(2) + 'x');
