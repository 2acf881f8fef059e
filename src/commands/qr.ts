// `iotpay qr`: any text (or stdin) as a terminal QR, or as a PNG/SVG file for printing at a till.
import path from 'node:path';
import type { Context } from '../context.js';
import { decodeInputBytes } from '../core/input.js';
import { fileProblem, UsageError } from '../errors.js';
import { readAllBounded } from '../io.js';
import { terminalQr } from '../render/qr.js';
import { importEsm } from '../esm.js';

export interface QrOptions {
  text: string;
  small: boolean;
  out?: string;
}

async function qrText(ctx: Context, given: string): Promise<string> {
  if (given !== '-') return given;
  const text = decodeInputBytes(await readAllBounded(ctx.streams.stdin, 'stdin', 8192), 'stdin');
  return text.replace(/\r?\n$/, '');
}

export async function runQr(opts: QrOptions, ctx: Context): Promise<void> {
  const text = await qrText(ctx, opts.text);
  if (text === '') throw new UsageError('nothing to encode: the text is empty');
  if (Buffer.byteLength(text, 'utf8') > 2900) throw new UsageError('the text is too long for a QR code (at most about 2900 bytes)');

  if (opts.out !== undefined) {
    const ext = path.extname(opts.out).toLowerCase();
    if (ext !== '.png' && ext !== '.svg') throw new UsageError(`--out must end in .png or .svg, got "${opts.out}"`);
    if (opts.small) ctx.warn('--small does nothing with --out: the image is 512 pixels wide');
    const { default: QRCode } = await importEsm<{ default: typeof import('qrcode') }>('qrcode');
    try {
      await QRCode.toFile(opts.out, text, { type: ext === '.png' ? 'png' : 'svg', errorCorrectionLevel: 'M', margin: 4, width: 512 });
    } catch (err) {
      throw new UsageError(`cannot write ${opts.out}: ${fileProblem(err, true)}`);
    }
    if (ctx.json) ctx.printJson({ text, out: path.resolve(opts.out) });
    else ctx.out(`${ctx.color.green('✓')} wrote ${opts.out}`);
    return;
  }
  if (ctx.json) {
    ctx.printJson({ text });
    return;
  }
  ctx.out(await terminalQr(ctx, text, ctx.color.level > 0 && !opts.small));
}
