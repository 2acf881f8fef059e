// Terminal QR codes (qrcode-terminal): ANSI blocks on a colour terminal, Unicode half blocks elsewhere.
import type { Context } from '../context.js';
import { importEsm } from '../esm.js';
import { isTerminal } from '../io.js';

export interface QrStyle {
  /** ANSI background colours (two columns a module); false gives half blocks with no escape codes. */
  ansi: boolean;
}

/** The QR of `text` as terminal text; the half-block form survives files, pipes and pagers. */
export async function renderQr(text: string, style: QrStyle): Promise<string> {
  const { default: qrcode } = await importEsm<{ default: typeof import('qrcode-terminal') }>('qrcode-terminal');
  let art = '';
  qrcode.generate(text, { small: !style.ansi }, (output: string) => {
    art = output;
  });
  return art.replace(/\n+$/, '');
}

/** Columns the QR takes on screen (escape codes take none). */
export function qrWidth(art: string): number {
  return (art.split('\n')[0] ?? '').replace(/\x1b\[[0-9;]*m/g, '').length;
}

/**
 * The QR for this command's stdout. A QR wider than the terminal wraps and cannot be scanned: the ANSI
 * form (two columns a module) gives way to half blocks (one), and when even those do not fit, a warning
 * says how wide the terminal must be.
 */
export async function terminalQr(ctx: Context, text: string, ansi: boolean): Promise<string> {
  const columns = isTerminal(ctx.streams, 'stdout') ? ctx.streams.stdout.columns : undefined;
  let art = await renderQr(text, { ansi });
  if (columns && ansi && qrWidth(art) > columns) art = await renderQr(text, { ansi: false });
  if (columns && qrWidth(art) > columns) {
    ctx.warn(`the terminal is ${columns} columns wide and the QR needs ${qrWidth(art)}: it will not scan; widen the window, or write it to a file with: iotpay qr '<text>' --out qr.png`);
  }
  return art;
}
