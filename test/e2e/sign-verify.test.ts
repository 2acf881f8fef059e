// sign and verify on the built binary: every input format, --explain, --json shapes, exit codes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { vectors } from '../helpers/vectors.js';
import { sign } from '../../src/core/sign.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const CANARY = 'CANARY-k3y-0123456789-zz';
const env = { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: CANARY };
const wx = vectors.find((v) => v.name === 'create-wx-native')!;
const notify = vectors.find((v) => v.name === 'notify-paid')!;

function expectNoCanary(r: { stdout: string; stderr: string }): void {
  expect(r.stdout).not.toContain(CANARY);
  expect(r.stderr).not.toContain(CANARY);
}

describe('iotpay sign', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('vector %s as JSON argument', async (_n, v) => {
    const r = await runCli(['sign', JSON.stringify(v.params)], { env: { ...env, IOTPAY_KEY: v.key } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${v.sign}\n`);
  });

  const formats: Array<[string, string[], string | undefined]> = [
    ['name=value arguments', Object.entries(wx.params).map(([k, v]) => `${k}=${v}`), undefined],
    ['JSON on stdin (-)', ['-'], JSON.stringify(wx.params)],
    ['JSON on stdin (no argument, piped)', [], JSON.stringify(wx.params)],
    ['params= form body', [`params=${encodeURIComponent(JSON.stringify(wx.params))}`], undefined],
    ['query string', [new URLSearchParams(Object.entries(wx.params).map(([k, v]) => [k, String(v)])).toString()], undefined],
    ['notify URL', [`https://shop.example/notify?${new URLSearchParams(Object.entries(wx.params).map(([k, v]) => [k, String(v)]))}`], undefined],
    ['name=value lines on stdin (CRLF)', ['-'], Object.entries(wx.params).map(([k, v]) => `${k}=${v}\r\n`).join('')],
  ];
  it.each(formats)('reads %s', async (_n, args, input) => {
    const r = await runCli(['sign', ...args], { env: { ...env, IOTPAY_KEY: wx.key }, input });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${wx.sign}\n`);
    expect(r.code).toBe(0);
  });

  it('with no argument and a stdin that stays open, it says on stderr what it waits for, then reads it', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, baseEnv } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [BIN, 'sign'], { env: baseEnv({ ...env, IOTPAY_KEY: wx.key }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!stderr.includes('waiting')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no notice; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stderr).toBe('warning: waiting for the fields on stdin: give them as arguments, or end the input (Ctrl-D)\n');
    child.stdin.end(JSON.stringify(wx.params));
    expect(await new Promise<number | null>((r) => child.on('close', r))).toBe(0);
    expect(stdout).toBe(`${wx.sign}\n`);
  });

  it('reads --file', async () => {
    const file = path.join(dir, 'req.json');
    fs.writeFileSync(file, JSON.stringify(wx.params));
    const r = await runCli(['sign', '--file', file], { env: { ...env, IOTPAY_KEY: wx.key } });
    expect(r.stdout).toBe(`${wx.sign}\n`);
  });

  it('--json gives sign and the masked canonical string', async () => {
    const r = await runCli(['sign', '--json', JSON.stringify(wx.params)], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['sign', 'canonical']);
    expect(doc.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(doc.canonical).toBe(`${wx.canonical}key=CANA…zz`);
    expectNoCanary(r);
  });

  it('--explain shows the canonical string with the key masked and no ordering note when orderings agree', async () => {
    const r = await runCli(['sign', '--explain', JSON.stringify(wx.params)], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${wx.canonical}key=CANA…zz`);
    expect(r.stdout).toContain('skipped    param1, param2');
    expect(r.stdout).not.toMatch(/ordering differs/);
    expect(r.stdout).not.toMatch(/^bytes/m);
    expectNoCanary(r);
  });

  it('--explain says a text beyond ASCII is hashed as UTF-8, the bytes a Java default charset changes', async () => {
    const r = await runCli(['sign', '--explain', 'mchId=1', 'subject=Café 测试'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^bytes {6}hashed as UTF-8 \(3 characters beyond ASCII\): a signer that hashes another encoding \(Java's getBytes\(\) with a GBK or Windows-1252 default\) gets another sign$/m,
    );
  });

  it('--explain warns when ASCII or natural ordering would sign differently', async () => {
    const r = await runCli(['sign', '--explain', 'B=1', 'a=2', 'param10=x', 'param2=y'], { env });
    expect(r.stdout).toContain('ASCII ordering differs');
    expect(r.stdout).toContain('natural ordering differs');
    expect(r.stdout).toContain('B=1&a=2&param10=x&param2=y&key=CANA…zz');
    expect(r.stdout).toContain('a=2&B=1&param10=x&param2=y&key=CANA…zz');
    const j = JSON.parse((await runCli(['sign', '--explain', '--json', 'B=1', 'a=2'], { env })).stdout);
    expect(j.orderings.map((o: { name: string }) => o.name)).toEqual(['ASCII', 'natural']);
    expectNoCanary(r);
  });

  it('garbage, empty input, arrays, invalid UTF-8, 5 MB and a number parsing would change exit 2 with one line', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(5 * 1024 * 1024) });
    const cases: Array<[string[], string | Buffer | undefined, RegExp]> = [
      [['hello world'], undefined, /cannot tell the input format/],
      [['-'], '', /empty/],
      [['[1,2,3]'], undefined, /JSON array/],
      [['-'], Buffer.from([0x61, 0x3d, 0xc3, 0x28]), /not valid UTF-8/],
      [['-'], big, /larger than 1 MiB/],
      [['{"retParams":{"url":"x"}}'], undefined, /nested object/],
      [['-'], '{"mchId":"1","amount":1.10}', /field "amount" is the number 1\.10, which JSON parsing turns into 1\.1/],
      [['--file', path.join(dir, 'missing.json')], undefined, /no such file/],
      [['--file', dir], undefined, /^error: cannot read .*: it is a folder, not a file\n$/],
      [['sign=ABC'], undefined, /^error: nothing to sign: every field is empty or is the "sign" field/],
      [['a=', 'b='], undefined, /^error: nothing to sign/],
    ];
    for (const [args, input, message] of cases) {
      const r = await runCli(['sign', ...args], { env, input });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--verbose adds the stack trace to an error, and only then', async () => {
    const quiet = await runCli(['sign', 'hello world'], { env });
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const loud = await runCli(['sign', 'hello world', '--verbose'], { env });
    expect(loud.code).toBe(2);
    expect(loud.stderr).toMatch(/^error: cannot tell the input format/);
    expect(loud.stderr).toMatch(/\n\s+at /);
    // The bundle's source map turns the trace into src/ files and lines.
    expect(loud.stderr).toMatch(/\n\s+at readFields \(.*[/\\]src[/\\]field-source\.ts:\d+:\d+\)/);
    expect(loud.stderr).not.toMatch(/cli\.cjs:\d+/);
  });

  it('no key: exit 2 naming the flag, the env var and the config command', async () => {
    const r = await runCli(['sign', 'a=1'], { env: { IOTPAY_CONFIG_DIR: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--key');
    expect(r.stderr).toContain('IOTPAY_KEY');
    expect(r.stderr).toContain('iotpay config set key');
  });

  it('a key pasted with its line break, or kept in quotes, is used as it is and said to be so', async () => {
    const { sign } = await import('../../src/core/sign.js');
    for (const [key, warning] of [
      [`${CANARY}\n`, 'warning: the key (from IOTPAY_KEY) has white space around it, a line break perhaps: the value is signed as it is; remove the white space where it is set\n'],
      [`"${CANARY}"`, 'warning: the key (from IOTPAY_KEY) is in quotes, which are part of the value: it is signed with them; remove them where it is set (docker --env-file and some CI settings keep the quotes a .env file has)\n'],
    ] as const) {
      const r = await runCli(['sign', 'a=1'], { env: { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: key } });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${sign({ a: '1' }, key)}\n`);
      expect(r.stderr).toBe(warning);
      expectNoCanary(r);
    }
    // A merchant id too, and a clean key says nothing.
    const id = await runCli(['query', '--mch-order-no', 'X', '--mch-id', ' 10000701', '--base-url', 'http://127.0.0.1:9/v1'], { env });
    expect(id.stderr).toMatch(/^warning: mch-id " 10000701" \(from --mch-id\) has white space around it, a line break perhaps: the value is sent as it is; remove the white space where it is set$/m);
    expect((await runCli(['sign', 'a=1'], { env })).stderr).toBe('');
  });
});

describe('library API', () => {
  it("import { sign, verify, canonicalString } from 'iotpay-cli' works from the built package", async () => {
    const { execFileSync } = await import('node:child_process');
    const { ROOT, baseEnv } = await import('../helpers/cli.js');
    const script = `import { sign, verify, canonicalString } from 'iotpay-cli';
      const p = ${JSON.stringify(wx.params)};
      console.log(canonicalString(p) === ${JSON.stringify(wx.canonical)}, sign(p, ${JSON.stringify(wx.key)}), verify({ ...p, sign: sign(p, 'k') }, 'k').status);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: baseEnv() }).toString();
    expect(out.trim()).toBe(`true ${wx.sign} valid`);
  });
});

describe('iotpay verify', () => {
  const signedNotify = { ...notify.params, sign: notify.sign };
  const query = new URLSearchParams(Object.entries(signedNotify).map(([k, v]) => [k, String(v)])).toString();

  it.each([
    ['notify URL', [`https://shop.example/notify?${query}`], undefined],
    ['query string', [query], undefined],
    ['JSON', [JSON.stringify(signedNotify)], undefined],
    ['stdin', ['-'], JSON.stringify(signedNotify)],
    ['params= form', [`params=${encodeURIComponent(JSON.stringify(signedNotify))}`], undefined],
  ])('valid %s exits 0', async (_n, args, input) => {
    const r = await runCli(['verify', ...args], { env: { ...env, IOTPAY_KEY: notify.key }, input });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ valid/);
  });

  it('a forged sign exits 4 with expected vs received', async () => {
    const forged = { ...signedNotify, amount: 1 };
    const r = await runCli(['verify', JSON.stringify(forged)], { env: { ...env, IOTPAY_KEY: notify.key } });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`received  ${notify.sign}`);
    expect(r.stdout).toMatch(/expected  [0-9A-F]{32}/);
    expect(r.stderr).toMatch(/^error: sign mismatch/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--json has valid, expected, received and canonical', async () => {
    const r = await runCli(['verify', '--json', JSON.stringify({ a: '1', sign: 'BAD' })], { env });
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ valid: false, status: 'mismatch', received: 'BAD', canonical: 'a=1&key=CANA…zz' });
    expect(doc.expected).toMatch(/^[0-9A-F]{32}$/);
    expectNoCanary(r);
  });

  it('names the likely cause: lower-case sign, URL-encoded value, field added', async () => {
    const lower = await runCli(['verify', JSON.stringify({ ...signedNotify, sign: notify.sign.toLowerCase() })], {
      env: { ...env, IOTPAY_KEY: notify.key },
    });
    expect(lower.stdout).toMatch(/likely cause: the sign is lower-case/);
    const added = await runCli(['verify', JSON.stringify({ ...signedNotify, remarks: 'x' })], {
      env: { ...env, IOTPAY_KEY: notify.key },
    });
    expect(added.stdout).toMatch(/without "remarks"/);
    const encoded = await runCli(['verify', JSON.stringify({ ...signedNotify, subject: 'product%20title' })], {
      env: { ...env, IOTPAY_KEY: notify.key },
    });
    expect(encoded.stdout).toMatch(/subject arrived URL-encoded/);
  });

  it('a malformed sign is said to be one: quoted when it has a line break, the cause on the error line', async () => {
    const env4 = { env: { ...env, IOTPAY_KEY: notify.key } };
    const newline = await runCli(['verify', JSON.stringify({ ...signedNotify, sign: `${notify.sign}\n` })], env4);
    expect(newline.code).toBe(4);
    expect(newline.stdout).toContain(`received  ${JSON.stringify(`${notify.sign}\n`)}`);
    expect(newline.stderr).toBe('error: sign mismatch: the sign has spaces or a line break around it: send the 32 characters alone (the value is otherwise right)\n');
    const cut = await runCli(['verify', '--json', JSON.stringify({ ...signedNotify, sign: notify.sign.slice(0, 16) })], env4);
    expect(cut.code).toBe(4);
    expect(JSON.parse(cut.stdout).causes).toEqual([
      'the received sign is 16 hex characters: an MD5 sign is 32 hex characters, so it was cut off or the sign field holds something else',
    ]);
    expect(cut.stderr).toMatch(/^error: sign mismatch: the received sign is 16 hex characters: .*\n$/);
  });

  it('a Java signer that hashed GBK bytes of a Chinese subject: the error line and --json name the character set', async () => {
    const key = notify.key;
    const fields = { mchId: '10000701', amount: 100, subject: '测试商品' };
    // The text the gateway hashes, with the subject's GBK bytes (B2E2 CAD4 C9CC C6B7) where UTF-8 belongs.
    const [before, after] = `amount=100&mchId=10000701&subject=测试商品&key=${key}`.split('测试商品');
    const gbk = Buffer.concat([Buffer.from(before!), Buffer.from('b2e2cad4c9ccc6b7', 'hex'), Buffer.from(after!)]);
    const signed = createHash('md5').update(gbk).digest('hex').toUpperCase();
    const r = await runCli(['verify', '--json', JSON.stringify({ ...fields, sign: signed })], { env: { ...env, IOTPAY_KEY: key } });
    expect(r.code).toBe(4);
    const cause = 'the sign was made over the text\'s GBK bytes, as Java\'s getBytes() writes them on a Chinese Windows: the gateway hashes UTF-8 (getBytes("UTF-8"))';
    expect(JSON.parse(r.stdout).causes).toEqual([cause]);
    expect(r.stderr).toBe(`error: sign mismatch: ${cause}\n`);
  });

  it('a sign made with a key and its line break, sent lower-case: the error line names both', async () => {
    const key = notify.key;
    const wrong = sign(signedNotify, `${key}\n`).toLowerCase();
    const r = await runCli(['verify', JSON.stringify({ ...signedNotify, sign: wrong })], { env: { ...env, IOTPAY_KEY: key } });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      'error: sign mismatch: the sign was made with the key followed by a line break (read from a file or a secret with its newline): trim it; the sign is also lower-case: the gateway expects upper-case hex\n',
    );
  });

  it("a sign made with another profile's key names that profile, or the variable or flag that overrides it; never a key", async () => {
    const cfg = tempDir();
    const live = 'LIVE-k3y-0123456789-aa';
    const test = 'TEST-k3y-0123456789-bb';
    const at = { IOTPAY_CONFIG_DIR: cfg };
    expect((await runCli(['config', 'set', 'key', live], { env: at })).code).toBe(0);
    expect((await runCli(['config', 'set', '--profile', 'test', 'key', test], { env: at })).code).toBe(0);
    const signed = JSON.stringify({ ...notify.params, sign: sign(notify.params, test) });
    const keysHidden = (r: { stdout: string; stderr: string }) => {
      for (const k of [live, test]) expect(r.stdout + r.stderr).not.toContain(k);
    };

    // The selected profile holds the live key: the test profile's is named.
    const other = await runCli(['verify', '--json', signed], { env: at });
    expect(other.code).toBe(4);
    const otherCause = `the sign was made with the key of profile "test", not this run's key (from profile "default"): verify with --profile test if that is the account, else the signer has the wrong account's key`;
    expect(JSON.parse(other.stdout).causes).toEqual([otherCause]);
    expect(other.stderr).toBe(`error: sign mismatch: ${otherCause}\n`);
    keysHidden(other);
    expect((await runCli(['verify', '--profile', 'test', signed], { env: at })).code).toBe(0);

    // The selected profile's key is the right one, but the environment or a flag overrides it.
    const env = await runCli(['verify', '--profile', 'test', signed], { env: { ...at, IOTPAY_KEY: CANARY } });
    expect(env.code).toBe(4);
    expect(env.stderr).toBe('error: sign mismatch: the sign was made with the key in profile "test", which IOTPAY_KEY overrides for this run: unset IOTPAY_KEY to use it\n');
    keysHidden(env);
    expectNoCanary(env);
    const lower = JSON.stringify({ ...notify.params, sign: sign(notify.params, test).toLowerCase() });
    const flag = await runCli(['verify', '--profile', 'test', '--key', CANARY, lower], { env: at });
    expect(flag.code).toBe(4);
    expect(flag.stderr).toContain(
      'error: sign mismatch: the sign was made with the key in profile "test", which --key overrides for this run: leave out --key to use it; the sign is also lower-case: the gateway expects upper-case hex\n',
    );
    keysHidden(flag);
    expectNoCanary(flag);

    // A key no profile holds: the fields' causes as before.
    const none = await runCli(['verify', JSON.stringify({ ...notify.params, sign: sign(notify.params, 'nobody') })], { env: at });
    expect(none.code).toBe(4);
    expect(none.stderr).toBe('error: sign mismatch: the fields were changed after signing or signed with another key\n');
    fs.rmSync(cfg, { recursive: true, force: true });
  });

  it('control characters in the input are shown escaped by verify and sign --explain; --json keeps the exact text', async () => {
    const fields = { mchId: '1', subject: 'a\u001b[2Jb\nc', sign: 'X'.repeat(32) };
    const human = await runCli(['verify', JSON.stringify(fields)], { env });
    expect(human.code).toBe(4);
    expect(human.stdout).toContain('canonical mchId=1&subject=a\\x1b[2Jb\\x0ac&key=');
    expect(human.stdout).not.toContain('\u001b');
    const explain = await runCli(['sign', '--explain', JSON.stringify(fields)], { env });
    expect(explain.stdout).toContain('mchId=1&subject=a\\x1b[2Jb\\x0ac&key=');
    expect(explain.stdout).not.toContain('\u001b');
    const json = await runCli(['sign', '--json', JSON.stringify(fields)], { env });
    expect(JSON.parse(json.stdout).canonical).toMatch(/^mchId=1&subject=a\u001b\[2Jb\nc&key=/);
  });

  it('a nested retParams is unverifiable: exit 2, valid null, never a pass or forgery', async () => {
    const r = await runCli(['verify', '--json', JSON.stringify({ retCode: 'SUCCESS', retParams: { url: 'x' }, sign: 'ABC' })], { env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: null, status: 'unverifiable' });
    expect(r.stderr).toMatch(/cannot verify: field "retParams" is a nested object/);
    expect(JSON.parse(r.stdout).withoutNested).toEqual({ matches: false, nestedFields: ['retParams'] });
    // Signed over the flat fields (as the mock signs): said, and still exit 2 with no verdict.
    const flat = { retCode: 'SUCCESS', payUrl: 'https://pay.example/x' };
    const human = await runCli(['verify', JSON.stringify({ ...flat, retParams: { url: 'x' }, sign: sign(flat, CANARY) })], { env });
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('leaving out retParams, the sign matches the other fields: the signer left the nested values out; they are not covered by the sign');
  });

  it('input without a sign exits 2', async () => {
    const r = await runCli(['verify', 'a=1'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no "sign" field/);
  });
});

describe('usage errors from the command line', () => {
  it.each([
    [['sign', '--bogus'], /^error: unknown option '--bogus' \(add --help for usage\)\n$/],
    [['bogus'], /^error: unknown command 'bogus' \(add --help for usage\)\n$/],
    [['config', 'set'], /^error: missing required argument 'name' \(add --help for usage\)\n$/],
    [['create', '--channel'], /^error: option '-c, --channel <ID>' argument missing \(add --help for usage\)\n$/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('bare iotpay prints the overview on stdout and exits 0; --version prints the version', async () => {
    const bare = await runCli([], { env });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: iotpay \[options\] \[command\]/);
    for (const name of ['sign', 'verify', 'config', 'create', 'query', 'qr', 'history', 'refund', 'doctor', 'completion', 'mock', 'listen']) {
      expect(bare.stdout).toMatch(new RegExp(`\\n  ${name} `));
    }
    const version = await runCli(['--version'], { env });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    // With --json, one document like every command's (either order of the flags).
    for (const args of [['--version', '--json'], ['--json', '-V']]) {
      const json = await runCli(args, { env });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ version: version.stdout.trim() });
    }
  });
});
