// config on the built binary with a temp IOTPAY_CONFIG_DIR: profiles, modes, precedence, and a canary key.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type RunResult } from '../helpers/cli.js';

const CANARY = 'CANARY-k3y-0123456789-zz';
let dir: string;
let env: Record<string, string>;
const outputs: RunResult[] = [];

async function iotpay(args: string[], extra: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  const r = await runCli(args, { env: { ...env, ...extra.env }, input: extra.input });
  outputs.push(r);
  return r;
}

beforeEach(() => {
  dir = path.join(tempDir(), 'cfg');
  env = { IOTPAY_CONFIG_DIR: dir };
});
afterEach(() => {
  for (const r of outputs.splice(0)) {
    expect(r.stdout).not.toContain(CANARY);
    expect(r.stderr).not.toContain(CANARY);
  }
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('iotpay config', () => {
  it('set/get/list/unset in the default profile; file 0600, folder 0700', async () => {
    expect((await iotpay(['config', 'set', 'mch-id', '10000701'])).code).toBe(0);
    const set = await iotpay(['config', 'set', 'key', '-'], { input: `${CANARY}\n` });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('key = CANA…zz');
    // An empty pipe is a usage error that says how to give the key, and sets nothing.
    for (const input of ['', '\n']) {
      const empty = await iotpay(['config', 'set', 'key', '-'], { input });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toBe(`error: no value for key: stdin was empty; pipe it: printf '%s' "$KEY" | iotpay config set key -, or run on a terminal to be asked\n`);
    }
    expect((await iotpay(['config', 'get', 'mch-id'])).stdout).toBe('10000701\n');
    expect((await iotpay(['config', 'get', 'key'])).stdout).toBe('CANA…zz\n');
    const file = (await iotpay(['config', 'path'])).stdout.trim();
    expect(file).toBe(path.join(dir, 'config.json'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).profiles.default.key).toBe(CANARY);

    const list = await iotpay(['config', 'list', '--json']);
    const doc = JSON.parse(list.stdout);
    expect(doc.profile).toBe('default');
    expect(doc.settings['mch-id']).toEqual({ value: '10000701', source: 'profile "default"' });
    expect(doc.settings.key.value).toBe('CANA…zz');
    expect(doc.settings['base-url']).toEqual({ value: 'https://api.iotpaycloud.com/v1', source: 'default' });
    expect(doc.settings['job-no']).toBeNull();

    // A currency code is stored in capitals, as create sends it.
    expect((await iotpay(['config', 'set', 'currency', 'usd'])).stdout).toMatch(/^✓ currency = USD in profile "default"/);
    expect((await iotpay(['config', 'get', 'currency'])).stdout).toBe('USD\n');
    expect((await iotpay(['config', 'unset', 'currency'])).code).toBe(0);

    expect((await iotpay(['config', 'unset', 'mch-id'])).code).toBe(0);
    const missing = await iotpay(['config', 'get', 'mch-id']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/mch-id is not set/);
  });

  it('the stored key signs, and --verbose says where it came from (masked)', async () => {
    await iotpay(['config', 'set', 'key', '-'], { input: CANARY });
    const r = await iotpay(['sign', 'a=1', '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9A-F]{32}\n$/);
    expect(r.stderr).toContain('key = CANA…zz (from profile "default")');
  });

  it('profiles: set with --profile, list, use, IOTPAY_PROFILE', async () => {
    await iotpay(['config', 'set', 'mch-id', '111']);
    await iotpay(['--profile', 'live', 'config', 'set', 'mch-id', '222']);
    const profiles = JSON.parse((await iotpay(['config', 'profiles', '--json'])).stdout);
    expect(profiles).toEqual({ current: 'default', profiles: ['default', 'live'] });
    expect((await iotpay(['config', 'use', 'live'])).code).toBe(0);
    expect((await iotpay(['config', 'get', 'mch-id'])).stdout).toBe('222\n');
    expect((await iotpay(['config', 'profiles'])).stdout).toContain('* live');
    expect((await iotpay(['config', 'get', 'mch-id'], { env: { IOTPAY_PROFILE: 'default' } })).stdout).toBe('111\n');
    const unknown = await iotpay(['--profile', 'nope', 'config', 'get', 'mch-id']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/profile "nope" \(from --profile\) does not exist/);
    // config use refuses a profile that does not exist (a typo would leave every setting unset), and keeps the current one.
    const typo = await iotpay(['config', 'use', 'lvie']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('error: profile "lvie" does not exist (profiles: default, live); create it with: iotpay config set --profile lvie mch-id <id>\n');
    expect((await iotpay(['config', 'profiles'])).stdout).toBe('  default\n* live\n');
    expect((await iotpay(['config', 'use', 'default'])).code).toBe(0);
  });

  it('precedence: flag > env > profile > default; an empty env var is unset', async () => {
    await iotpay(['config', 'set', 'base-url', 'https://profile.example/v1']);
    const get = (extra: string[] = [], e: Record<string, string> = {}) =>
      iotpay([...extra, 'config', 'get', 'base-url', '--json'], { env: e }).then((r) => JSON.parse(r.stdout));
    expect(await get()).toMatchObject({ value: 'https://profile.example/v1', source: 'profile "default"' });
    expect(await get([], { IOTPAY_BASE_URL: 'https://env.example/v1' })).toMatchObject({ value: 'https://env.example/v1', source: 'IOTPAY_BASE_URL' });
    expect(await get(['--base-url', 'https://flag.example/v1'], { IOTPAY_BASE_URL: 'https://env.example/v1' })).toMatchObject({ source: '--base-url' });
    expect(await get([], { IOTPAY_BASE_URL: '' })).toMatchObject({ source: 'profile "default"' });
    await iotpay(['config', 'unset', 'base-url']);
    expect(await get()).toMatchObject({ value: 'https://api.iotpaycloud.com/v1', source: 'default' });
  });

  it('key from --key warns about the process list; the key never shows', async () => {
    const r = await iotpay(['--key', CANARY, 'sign', 'a=1', '--explain']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --key is visible to other users in the process list/);
  });

  it('a config folder that cannot be made is exit 2 naming why; missing parents are made 0700', async () => {
    const file = path.join(path.dirname(dir), 'a-file');
    fs.writeFileSync(file, '');
    const underFile = await iotpay(['config', 'set', 'mch-id', '1'], { env: { IOTPAY_CONFIG_DIR: path.join(file, 'cfg') } });
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toBe(`error: cannot create the config folder ${file}/cfg: a part of the path is a file, not a folder; set IOTPAY_CONFIG_DIR to a folder you can write\n`);
    const link = path.join(path.dirname(dir), 'broken-link');
    fs.symlinkSync(path.join(path.dirname(dir), 'nowhere'), link);
    const underLink = await iotpay(['config', 'set', 'mch-id', '1'], { env: { IOTPAY_CONFIG_DIR: path.join(link, 'cfg') } });
    expect(underLink.code).toBe(2);
    expect(underLink.stderr).toMatch(/cannot create the config folder .*broken-link\/cfg: something that is not a folder is in the way/);
    // Node's recursive mkdir spins forever under /proc; this must end at once.
    if (fs.existsSync('/proc/self')) {
      const proc = await runCli(['config', 'set', 'mch-id', '1'], { env: { IOTPAY_CONFIG_DIR: '/proc/iotpay-nope/cfg' }, timeoutMs: 5000 });
      expect(proc.code).toBe(2);
      expect(proc.stderr).toMatch(/^error: cannot create the config folder \/proc\/iotpay-nope\/cfg: /);
    }
    const deep = path.join(dir, 'a', 'b');
    expect((await iotpay(['config', 'set', 'mch-id', '1'], { env: { IOTPAY_CONFIG_DIR: deep } })).code).toBe(0);
    for (const d of [dir, path.join(dir, 'a'), deep]) expect(fs.statSync(d).mode & 0o777).toBe(0o700);
  });

  it('a config folder that cannot be made stops only what writes there: flags and env are enough to sign and create', async () => {
    // As in a container whose HOME cannot be written: here, a config folder under a file (even root cannot make it).
    const file = path.join(path.dirname(dir), 'not-a-folder');
    fs.writeFileSync(file, '');
    const unmakeable = { IOTPAY_CONFIG_DIR: path.join(file, 'cfg'), IOTPAY_MCH_ID: '1', IOTPAY_KEY: CANARY, IOTPAY_JOB_NO: 'j' };
    const signed = await iotpay(['sign', 'a=1'], { env: unmakeable });
    expect(signed.code, signed.stderr).toBe(0);
    // create --dry-run read the profile for its defaults, and that made the folder: exit 2 before.
    const dry = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '1', '--notify-url', 'https://s.example/n', '--dry-run', '--json'], { env: unmakeable });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout).request.mchId).toBe('1');
    const list = await iotpay(['config', 'list', '--json'], { env: unmakeable });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).settings['mch-id']).toEqual({ value: '1', source: 'IOTPAY_MCH_ID' });
    const history = await iotpay(['history'], { env: unmakeable });
    expect(history.code).toBe(0);
    // The sandbox runs, keeping its orders for this run; the order it made is not recorded, and each is said once.
    const sandbox = await iotpay(['create', '--sandbox', '-c', 'WX_NATIVE', '-a', '100', '--json'], { env: { IOTPAY_CONFIG_DIR: unmakeable.IOTPAY_CONFIG_DIR } });
    expect(sandbox.code, sandbox.stderr).toBe(0);
    expect(JSON.parse(sandbox.stdout).signature).toBe('verified');
    const warnings = sandbox.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: sandbox orders are kept for this run only: cannot create the config folder .*: a part of the path is a file, not a folder$/),
      expect.stringMatching(/^warning: could not record this order in history: cannot create the config folder .*: a part of the path is a file, not a folder$/),
    ]);
    // Writing is where it fails, saying why.
    const set = await iotpay(['config', 'set', 'currency', 'USD'], { env: unmakeable });
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/^error: cannot create the config folder .*not-a-folder\/cfg: a part of the path is a file, not a folder/);
  });

  it('IOTPAY_CONFIG_DIR: a leading ~ is the home folder, a relative path is made absolute', async () => {
    // From a .env file or a CI setting the ~ arrives unexpanded: it made a folder named "~" where the command ran.
    const home = path.dirname(dir);
    const tilde = await iotpay(['config', 'path'], { env: { IOTPAY_CONFIG_DIR: '~/iotpay-cfg', HOME: home } });
    expect(tilde.stdout).toBe(`${path.join(home, 'iotpay-cfg', 'config.json')}\n`);
    const relative = await iotpay(['config', 'path'], { env: { IOTPAY_CONFIG_DIR: 'some/cfg' } });
    expect(relative.stdout).toBe(`${path.join(process.cwd(), 'some', 'cfg', 'config.json')}\n`);
  });

  it('refuses bad values and unknown names with exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['config', 'set', 'base-url', 'http://example.com/v1'], /plain http:\/\/ is refused/],
      [['config', 'set', 'timeout', 'soon'], /whole number/],
      [['config', 'set', 'timeout', '0'], /^error: cannot set timeout: timeout must be a whole number of milliseconds from 1 to 99999999, got "0"$/m],
      [['config', 'set', 'currency', 'CA'], /3 letters/],
      [['config', 'set', 'client-ip', '10.0.0'], /^error: cannot set client-ip: clientIp "10\.0\.0" is not an IP address \(the payer's IPv4 or IPv6 address, such as 203\.0\.113\.7\)$/m],
      [['config', 'set', 'colour', 'red'], /unknown setting "colour"/],
      [['config', 'set', 'mch-id'], /needs a value/],
      [['config', 'set', 'mch-id', ''], /^error: cannot set mch-id to an empty value; to remove it: iotpay config unset mch-id$/m],
      [['config', 'set', 'key', ''], /^error: cannot set key to an empty value; to remove it: iotpay config unset key$/m],
      [['config', 'use', '../evil'], /not a valid profile name/],
      [['config', 'use'], /^error: config use needs a profile name \(profiles: default\); iotpay config use <profile>$/m],
    ];
    for (const [args, message] of cases) {
      const r = await iotpay(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // A profile name from the environment is named as such.
    const fromEnv = await iotpay(['config', 'list'], { env: { IOTPAY_PROFILE: '../x' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toBe('error: "../x" (from IOTPAY_PROFILE) is not a valid profile name (letters, digits, . _ -)\n');
    expect((await iotpay(['config', 'set', 'base-url', 'http://127.0.0.1:4010/v1'])).code).toBe(0);
    // The same rule for the flag and the environment variable, before anything is sent.
    const merchant = { IOTPAY_MCH_ID: '1', IOTPAY_KEY: 'k'.repeat(24) };
    for (const [args, extra, origin] of [[['--timeout', '0'], {}, '--timeout'], [[], { IOTPAY_TIMEOUT: '0' }, 'IOTPAY_TIMEOUT']] as const) {
      const r = await iotpay(['query', '--mch-order-no', 'X', ...args], { env: { ...merchant, ...extra } });
      expect(r.code).toBe(2);
      // Where the value was read from, so a CI variable set long ago is found.
      expect(r.stderr).toBe(`error: timeout must be a whole number of milliseconds from 1 to 99999999, got "0" (from ${origin})\n`);
    }
  });

  it('warns, and still stores, a value with white space or quotes around it, or a base URL with no path', async () => {
    const cases: Array<[string[], string]> = [
      [['mch-id', ' 10000701'], 'warning: mch-id " 10000701" has leading or trailing white space; it is stored as given and sent with it\n'],
      [['job-no', 'alice\t'], 'warning: job-no "alice\\t" has leading or trailing white space; it is stored as given and sent with it\n'],
      [
        ['base-url', 'https://api.example.com/'],
        "warning: base URL https://api.example.com/ has no path, but the gateway's endpoints are under /v1 (as in https://api.iotpaycloud.com/v1): most likely you want https://api.example.com/v1\n",
      ],
      [['base-url', 'https://api.example.com/v1'], ''],
      [['base-url', 'https://proxy.example.com/iotpay/v1'], ''],
      [['mch-id', '10000701'], ''],
      [['mch-id', '"10000701"'], 'warning: mch-id "10000701" is in quotes, which are stored as part of the value; most likely they were copied from a .env file\n'],
    ];
    for (const [args, warning] of cases) {
      const r = await iotpay(['config', 'set', ...args]);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe(warning);
      expect((await iotpay(['config', 'get', args[0]!])).stdout).toBe(`${args[1]}\n`);
    }
  });

  it('a corrupt config file is an error naming the file, never a reset', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"profiles": {', { mode: 0o600 });
    const r = await iotpay(['config', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`config file ${file} is not valid JSON`);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"profiles": {');
  });

  it('a hand-edited file: numbers are taken as their digits, null as not set, a list or object is exit 2', async () => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, 'config.json');
    const write = (profile: Record<string, unknown>) => fs.writeFileSync(file, JSON.stringify({ profiles: { default: profile } }), { mode: 0o600 });
    write({ mchId: 10000701, timeout: 5000, notifyUrl: null, key: CANARY });
    const list = JSON.parse((await iotpay(['config', 'list', '--json'])).stdout);
    expect(list.settings['mch-id'].value).toBe('10000701');
    expect(list.settings.timeout.value).toBe('5000');
    expect(list.settings['notify-url']).toBeNull();
    const dry = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '1', '--job-no', 'a', '--notify-url', 'https://s.example/n', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).request.mchId).toBe('10000701');
    // Before, a list was signed with as its text ("x") and an object shown as "[object Object]".
    for (const [value, what] of [[['x'], 'a list'], [{ k: 1 }, 'an object'], [1.5, 'the number 1.5'], [true, 'the boolean true']] as const) {
      write({ mchId: '1', key: value });
      const r = await iotpay(['sign', 'a=1']);
      expect(r.code, JSON.stringify(value)).toBe(2);
      expect(r.stderr).toBe(`error: key in profile "default" of ${file} is ${what}, not a text value; set it again with: iotpay config set key <value>\n`);
    }
  });

  it('eight config set runs at the same moment lose none of their settings', async () => {
    await iotpay(['config', 'set', 'mch-id', '1']);
    const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
    const runs = await Promise.all(names.map((p) => iotpay(['--profile', p, 'config', 'set', 'job-no', `ops-${p}`])));
    expect(runs.map((r) => r.code)).toEqual(names.map(() => 0));
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { profiles: Record<string, { jobNo?: string }> };
    expect(Object.keys(file.profiles).sort()).toEqual(['default', ...names]);
    for (const p of names) expect(file.profiles[p]!.jobNo).toBe(`ops-${p}`);
    expect(fs.existsSync(path.join(dir, 'config.json.lock'))).toBe(false);
  });

  it('warns when someone loosened the file or folder mode', async () => {
    await iotpay(['config', 'set', 'mch-id', '1']);
    fs.chmodSync(path.join(dir, 'config.json'), 0o644);
    const r = await iotpay(['config', 'get', 'mch-id']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/readable by others \(mode 644\): run chmod 600/);
    // A write makes the file 0600 again, and says so (the advice just given is then done).
    const written = await iotpay(['config', 'set', 'job-no', 'ops']);
    expect(written.stderr).toMatch(/readable by others \(mode 644\): run chmod 600 .*\n.*config file .* is 0600 again \(it was 644\): whoever could read it may have read the key\n$/);
    expect(fs.statSync(path.join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect((await iotpay(['config', 'get', 'mch-id'])).stderr).toBe('');
    fs.chmodSync(dir, 0o755);
    expect((await iotpay(['config', 'get', 'mch-id'])).stderr).toMatch(/config folder .* is open to others \(mode 755\): run chmod 700/);
  });

  it('config set key without a value and without a TTY reads one line from stdin', async () => {
    const r = await iotpay(['config', 'set', 'key'], { input: `${CANARY}\r\nignored\n` });
    expect(r.code).toBe(0);
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(stored.profiles.default.key).toBe(CANARY);
  });
});
