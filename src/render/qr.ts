// Terminal QR codes (qrcode-terminal): ANSI blocks on a colour terminal, Unicode half blocks elsewhere.
import { importEsm } from '../esm.js';

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
