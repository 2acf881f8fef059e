// Reads a half-block terminal QR back into its text with jsQR: proof that what we print scans.
import jsQR from 'jsqr';

const LIGHT = 255;
const DARK = 0;

/** Each character is one module wide and two tall: █ both light, ▀ top light, ▄ bottom light, space both dark. */
export function decodeHalfBlockQr(art: string): string | undefined {
  const rows = art.split('\n').filter((l) => /[█▀▄]/.test(l));
  const width = Math.max(...rows.map((r) => [...r].length));
  const modules: number[][] = [];
  for (const row of rows) {
    const top: number[] = [];
    const bottom: number[] = [];
    for (const ch of [...row].concat(Array(width - [...row].length).fill(' '))) {
      top.push(ch === '█' || ch === '▀' ? LIGHT : DARK);
      bottom.push(ch === '█' || ch === '▄' ? LIGHT : DARK);
    }
    modules.push(top, bottom);
  }
  const scale = 6;
  const pad = 8; // light quiet zone around the code, as on paper
  const w = (width + pad * 2) * scale;
  const h = (modules.length + pad * 2) * scale;
  const data = new Uint8ClampedArray(w * h * 4).fill(LIGHT);
  modules.forEach((line, y) =>
    line.forEach((v, x) => {
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + pad) * scale + dy) * w + (x + pad) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = v;
        }
    }),
  );
  return jsQR(data, w, h, { inversionAttempts: 'attemptBoth' })?.data;
}
