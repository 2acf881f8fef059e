// Behaviour on a real terminal: hidden key prompt, colour on a TTY, NO_COLOR, Ctrl-C at a prompt.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { json, startGatewayStub, type GatewayStub } from '../helpers/gateway-stub.js';
import { runOnPty } from '../helpers/pty.js';

const CANARY = 'CANARY-k3y-0123456789-zz';
const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `test` against a fresh gateway stub on loopback, closed after it whatever happens. */
async function withStub(test: (stub: GatewayStub) => Promise<void>): Promise<void> {
  const stub = await startGatewayStub();
  try {
    await test(stub);
  } finally {
    await stub.close();
  }
}

describe('on a terminal', () => {
  it('config set key asks with a hidden prompt and stores the key 0600', async () => {
    const dir = path.join(root, 'a');
    const pty = runOnPty(['config', 'set', 'key'], { IOTPAY_CONFIG_DIR: dir });
    await pty.waitFor('Merchant key');
    pty.write(`${CANARY}\r`);
    expect(await pty.exited).toBe(0);
    expect(pty.output()).not.toContain(CANARY);
    expect(pty.output()).toContain('CANA…zz');
    const file = path.join(dir, 'config.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).profiles.default.key).toBe(CANARY);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('config set <name> without a value asks for it, with the value checks of the command line', async () => {
    const dir = path.join(root, 'set-ask');
    const pty = runOnPty(['config', 'set', 'timeout'], { IOTPAY_CONFIG_DIR: dir, NO_COLOR: '1' });
    await pty.waitFor('timeout (request timeout');
    pty.write('soon\r');
    await pty.waitFor('timeout must be a whole number of milliseconds');
    pty.write('\x159000\r');
    expect(await pty.exited).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).profiles.default.timeout).toBe('9000');
  });

  it('config use without a profile offers the profiles there are', async () => {
    const dir = path.join(root, 'use-pick');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ profiles: { default: { mchId: '1' }, live: { mchId: '2' } } }), { mode: 0o600 });
    const pty = runOnPty(['config', 'use'], { IOTPAY_CONFIG_DIR: dir, NO_COLOR: '1' });
    await pty.waitFor('Profile to use');
    await pty.waitFor('default  (selected now)');
    pty.write('\x1b[B\r');
    expect(await pty.exited).toBe(0);
    expect(pty.output()).toContain('now using profile "live"');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).currentProfile).toBe('live');
  });

  it('Ctrl-C at the key prompt exits 130 and saves nothing', async () => {
    const dir = path.join(root, 'b');
    const pty = runOnPty(['config', 'set', 'key'], { IOTPAY_CONFIG_DIR: dir });
    await pty.waitFor('Merchant key');
    pty.write('abc\x03');
    expect(await pty.exited).toBe(130);
    expect(fs.existsSync(path.join(dir, 'config.json'))).toBe(false);
  });

  it('--no-input on a terminal refuses instead of prompting', async () => {
    const pty = runOnPty(['--no-input', 'config', 'set', 'key'], { IOTPAY_CONFIG_DIR: path.join(root, 'c') });
    expect(await pty.exited).toBe(2);
    expect(pty.output()).toMatch(/prompts are off/);
  });

  it('colours on a terminal; NO_COLOR and --no-color turn them off', async () => {
    const env = { IOTPAY_CONFIG_DIR: path.join(root, 'd'), IOTPAY_KEY: CANARY };
    const coloured = runOnPty(['sign', '--explain', 'a=1'], env);
    expect(await coloured.exited).toBe(0);
    expect(coloured.output()).toMatch(/\x1b\[[0-9;]*m/);
    for (const [args, extra] of [
      [['sign', '--explain', 'a=1'], { NO_COLOR: '1' }],
      [['--no-color', 'sign', '--explain', 'a=1'], {}],
    ] as const) {
      const plain = runOnPty([...args], { ...env, ...extra });
      expect(await plain.exited).toBe(0);
      expect(plain.output()).not.toMatch(/\x1b\[[0-9;]*m/);
      expect(plain.output()).toContain('canonical');
    }
  });
});

describe('create on a terminal', () => {
  it('asks for the channel (list), amount (checked as cents) and notify URL, then creates', async () => {
    await withStub(async (stub) => {
      stub.handle((req, res) =>
        json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P9', mchOrderNo: req.params?.mchOrderNo, qr_code: 'https://qr.alipay.com/t1' }, CANARY),
      );
      const pty = runOnPty(['create'], {
        IOTPAY_CONFIG_DIR: path.join(root, 'e'),
        IOTPAY_KEY: CANARY,
        IOTPAY_MCH_ID: '1',
        IOTPAY_JOB_NO: 'bob',
        IOTPAY_BASE_URL: stub.baseUrl,
      });
      await pty.waitFor('Channel');
      await pty.waitFor('customer scans a QR with WeChat');
      pty.write('\x1b[B\x1b[B\x1b[B'); // down to ALIPAY_QR, the fourth
      await pty.waitFor('customer scans a QR with Alipay');
      pty.write('\r');
      await pty.waitFor('Amount in cents');
      pty.write('28.65\r');
      await pty.waitFor('did you mean 2865?');
      pty.write('\x7f\x7f\x7f\x7f\x7f2865\r');
      await pty.waitFor('Notify URL');
      pty.write('shop.example/n\r');
      await pty.waitFor('"shop.example/n" is not a URL');
      pty.write('\x15https://shop.example/n\r'); // Ctrl-U clears the line
      expect(await pty.exited).toBe(0);
      expect(pty.output()).toContain('28.65 CAD · ALIPAY_QR');
      expect(pty.output()).toMatch(/\x1b\[4[07]m/); // ANSI QR on a colour terminal
      expect(stub.requests).toHaveLength(1);
      expect(stub.requests[0]!.params).toMatchObject({ channelId: 'ALIPAY_QR', amount: 2865, notifyUrl: 'https://shop.example/n' });
      expect(pty.output()).not.toContain(CANARY);
    });
  });

  it("asks for the channel's required extra key (WX_APP's appId), refusing a blank one", async () => {
    await withStub(async (stub) => {
      stub.handle((req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P9', mchOrderNo: req.params?.mchOrderNo, payParams: { appId: 'wx123' } }, CANARY));
      const pty = runOnPty(['create', '-c', 'WX_APP', '-a', '100', '--notify-url', 'https://shop.example/n'], {
        IOTPAY_CONFIG_DIR: path.join(root, 'x'),
        IOTPAY_KEY: CANARY,
        IOTPAY_MCH_ID: '1',
        IOTPAY_JOB_NO: 'bob',
        IOTPAY_BASE_URL: stub.baseUrl,
      });
      await pty.waitFor('Your WeChat appId (extra.appId, required by WX_APP)');
      pty.write('\r');
      await pty.waitFor('WX_APP needs extra.appId; --app-id (or --extra) gives it without asking');
      pty.write('wx123\r');
      expect(await pty.exited).toBe(0);
      expect(stub.requests).toHaveLength(1);
      expect(JSON.parse(String(stub.requests[0]!.params!.extra))).toEqual({ type: 'apppay', appId: 'wx123' });
    });
  });

  it('a terminal too narrow for the colour QR gets half blocks; one too narrow for those, a warning', async () => {
    const { decodeHalfBlockQr } = await import('../helpers/qr-decode.js');
    const env = { IOTPAY_CONFIG_DIR: path.join(root, 'narrow') };
    // 62 columns in colour (two a module), 31 in half blocks: a 40-column pane takes the half blocks.
    const narrow = runOnPty(['qr', 'weixin://wxpay/bizpayurl?pr=nocolor'], env, { cols: 40, rows: 60 });
    expect(await narrow.exited).toBe(0);
    expect(narrow.output()).not.toMatch(/\x1b\[4[07]m/);
    expect(decodeHalfBlockQr(narrow.output().replace(/\r/g, ''))).toBe('weixin://wxpay/bizpayurl?pr=nocolor');
    expect(narrow.output()).not.toContain('warning');
    const tiny = runOnPty(['qr', 'weixin://wxpay/bizpayurl?pr=nocolor'], env, { cols: 20, rows: 60 });
    expect(await tiny.exited).toBe(0);
    expect(tiny.output().replace(/\x1b\[[0-9;]*m|\r|\n/g, '')).toContain('the terminal is 20 columns wide and the QR needs 31: it will not scan');
    // Wide enough: the colour form, as before.
    const wide = runOnPty(['qr', 'weixin://wxpay/bizpayurl?pr=nocolor'], env, { cols: 80, rows: 60 });
    expect(await wide.exited).toBe(0);
    expect(wide.output()).toMatch(/\x1b\[4[07]m/);
  });

  it('NO_COLOR on a terminal draws the QR with half blocks and no escape codes', async () => {
    const { decodeHalfBlockQr } = await import('../helpers/qr-decode.js');
    await withStub(async (stub) => {
      stub.handle((req, res) =>
        json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P9', mchOrderNo: req.params?.mchOrderNo, codeUrl: 'weixin://wxpay/bizpayurl?pr=nocolor' }, CANARY),
      );
      const pty = runOnPty(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'https://shop.example/n'], {
        IOTPAY_CONFIG_DIR: path.join(root, 'g'),
        IOTPAY_KEY: CANARY,
        IOTPAY_MCH_ID: '1',
        IOTPAY_JOB_NO: 'bob',
        IOTPAY_BASE_URL: stub.baseUrl,
        NO_COLOR: '1',
      });
      expect(await pty.exited).toBe(0);
      expect(pty.output()).not.toMatch(/\x1b\[4[07]m/);
      expect(decodeHalfBlockQr(pty.output().replace(/\r/g, ''))).toBe('weixin://wxpay/bizpayurl?pr=nocolor');
    });
  });

  it('a missing credential is said before any prompt (create, query, refund)', async () => {
    for (const command of ['create', 'query', 'refund']) {
      const pty = runOnPty([command], { IOTPAY_CONFIG_DIR: path.join(root, `nokey-${command}`), IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'bob', NO_COLOR: '1' });
      expect(await pty.exited, command).toBe(2);
      expect(pty.output()).toMatch(/error: key is required to sign the (order|query|refund); set it with --key, IOTPAY_KEY/);
      expect(pty.output(), command).not.toMatch(/Channel|Which order|mchOrderNo of the order|payOrderId of the order/);
    }
  });

  it('Ctrl-C at the channel prompt exits 130 with nothing sent', async () => {
    await withStub(async (stub) => {
      const pty = runOnPty(['create'], { IOTPAY_CONFIG_DIR: path.join(root, 'f'), IOTPAY_KEY: CANARY, IOTPAY_MCH_ID: '1', IOTPAY_JOB_NO: 'bob', IOTPAY_BASE_URL: stub.baseUrl });
      await pty.waitFor('Channel');
      pty.write('\x03');
      expect(await pty.exited).toBe(130);
      expect(stub.requests).toHaveLength(0);
    });
  });
});

describe('--help on a terminal', () => {
  it('wraps options and notes to the terminal (a 60-column pane too), and to 80 columns on one that reports no size', async () => {
    for (const [cols, width] of [[60, 60], [0, 80]] as const) {
      for (const command of ['create', 'mock']) {
        const pty = runOnPty([command, '--help'], {}, { cols, rows: 60 });
        expect(await pty.exited).toBe(0);
        // Example commands are shown whole; everything else is wrapped.
        const lines = pty.output().split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('  $ '));
        expect(lines.some((l) => l.includes('--notify-attempts') || l.includes('--notify-url'))).toBe(true);
        const widest = Math.max(...lines.map((l) => [...l].length));
        expect(widest, `${command} at ${cols}`).toBeLessThanOrEqual(width);
        expect(widest, `${command} at ${cols}`).toBeGreaterThan(width - 15);
        // The mock's endpoints are laid out as options are: aligned at 80 columns, each description under its
        // endpoint where two columns do not fit.
        if (command === 'mock') {
          expect(pty.output()).toMatch(
            cols === 60
              ? /\n {2}POST \/mock\/orders\/<payOrderId>\/cancel\r?\n {6}cancel it: status 9, by the customer\r?\n/
              : /\n {2}POST \/mock\/orders\/<payOrderId>\/cancel {2}cancel it: status 9, by the customer\r?\n {2}POST \/mock\/orders\/<payOrderId>\/expire {2}expire/,
          );
        }
      }
    }
  });
});

describe('query on a terminal', () => {
  it("--wait's progress line fits a narrow terminal (a wrapped line leaves a row behind at every redraw)", async () => {
    await withStub(async (stub) => {
      stub.handle((req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P7', mchOrderNo: req.params?.mchOrderNo, amount: 100, currency: 'CAD', status: 0 }, CANARY));
      const env = { IOTPAY_CONFIG_DIR: path.join(root, 'spin'), IOTPAY_KEY: CANARY, IOTPAY_MCH_ID: '1', IOTPAY_BASE_URL: stub.baseUrl, NO_COLOR: '1' };
      const pty = runOnPty(['query', '--mch-order-no', 'M1', '--wait', '--wait-timeout', '2'], env, { cols: 30, rows: 60 });
      expect(await pty.exited).toBe(1);
      // Every frame the spinner drew: the text after each "clear line", up to the next carriage return.
      const frames = pty.output().split('\x1b[2K').slice(1).map((f) => f.split('\r')[0]!).filter((f) => f.trim() !== '');
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.some((f) => f.includes('waiting for payment'))).toBe(true);
      for (const f of frames) expect([...f].length, f).toBeLessThanOrEqual(29);
      expect(frames.some((f) => f.endsWith('…'))).toBe(true);
      // A terminal that reports no size (0 columns) is taken as 80 wide: the line is whole, not cut to nothing.
      const sizeless = runOnPty(['query', '--mch-order-no', 'M1', '--wait', '--wait-timeout', '2'], env, { cols: 0, rows: 0 });
      expect(await sizeless.exited).toBe(1);
      const drawn = sizeless.output().split('\x1b[2K').slice(1).map((f) => f.split('\r')[0]!).filter((f) => f.trim() !== '');
      expect(drawn.some((f) => /^. waiting for payment… created \(\d+ s\)$/.test(f)), drawn.join('|')).toBe(true);
    });
  });

  it("with no order given, offers this gateway's recent orders from history, or a typed one", async () => {
    await withStub(async (stub) => {
      stub.handle((req, res) =>
        json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P7', mchOrderNo: req.params?.mchOrderNo, amount: 100, currency: 'CAD', status: 2 }, CANARY),
      );
      const dir = path.join(root, 'q');
      fs.mkdirSync(dir, { mode: 0o700 });
      const entry = (no: string, baseUrl: string, extra: Record<string, unknown> = {}) =>
        JSON.stringify({ time: '2026-11-30T08:00:00.000Z', type: 'create', baseUrl, request: { mchOrderNo: no, amount: 250, currency: 'CAD', channelId: 'WX_NATIVE' }, ...extra });
      fs.writeFileSync(
        path.join(dir, 'history.jsonl'),
        [
          entry('OLDER-1', stub.baseUrl),
          entry('ELSEWHERE-1', 'https://api.iotpaycloud.com/v1'),
          entry('SANDBOX-1', 'http://127.0.0.1:9/v1', { sandbox: true }),
          entry('NEWER-2', `${stub.baseUrl}/`, { response: { payOrderId: 'P-NEWER' } }),
          JSON.stringify({ time: '2026-11-30T08:01:00.000Z', type: 'refund', baseUrl: stub.baseUrl, request: { mchRefundNo: 'RFD-1', refundAmount: 100 } }),
        ].join('\n') + '\n',
        { mode: 0o600 },
      );
      const env = { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: CANARY, IOTPAY_MCH_ID: '1', IOTPAY_BASE_URL: stub.baseUrl, NO_COLOR: '1' };
      const pick = runOnPty(['query'], env);
      await pick.waitFor('Which order?');
      await pick.waitFor('another order: type its mchOrderNo');
      // Newest first, this gateway's creates only.
      const menu = pick.output();
      expect(menu.indexOf('NEWER-2  2.50 CAD  WX_NATIVE')).toBeGreaterThan(-1);
      expect(menu.indexOf('NEWER-2')).toBeLessThan(menu.indexOf('OLDER-1'));
      for (const other of ['ELSEWHERE-1', 'SANDBOX-1', 'RFD-1']) expect(menu).not.toContain(other);
      pick.write('\x1b[B\r'); // the second: OLDER-1
      expect(await pick.exited).toBe(0);
      expect(stub.requests.map((r) => r.params?.mchOrderNo)).toEqual(['OLDER-1']);

      const typed = runOnPty(['query'], env);
      await typed.waitFor('another order');
      typed.write('\x1b[B\x1b[B\r');
      await typed.waitFor('mchOrderNo of the order');
      typed.write('TYPED-9\r');
      expect(await typed.exited).toBe(0);
      expect(stub.requests.map((r) => r.params?.mchOrderNo)).toEqual(['OLDER-1', 'TYPED-9']);
    });
  });
});
