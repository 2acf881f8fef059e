// Text from the network (a notify, a client of the mock, a gateway's answer) made safe for a terminal line.

/** C0 controls (ESC, CR, LF, …), DEL, C1 controls (8-bit CSI) and the bidirectional overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

/**
 * The text with every control character shown as an escape (`\x1b`, `\x0a`, `\u202e`): a value a
 * stranger sent cannot move the cursor, recolour or clear the screen, or start a forged line.
 */
export function printable(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A copy of an event with printable() applied to its strings, nested objects and arrays included. */
export function printableFields<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => printableFields(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = printableFields(v);
    return out as T;
  }
  return value;
}

/** A text shown in part (a received message, a field name, an answer's opening): at most `limit` characters, a cut one ending in `…`. */
export function clipped(text: string, limit = 2000): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
