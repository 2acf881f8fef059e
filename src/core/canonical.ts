// The gateway's canonical string: which fields are signed, how each is written, and their order.

/** A field value as it can appear in a request, response or notify. */
export type FieldValue = string | number | boolean | null | undefined | object;
export type Fields = Readonly<Record<string, FieldValue>>;

/** Raised when a field has no documented text form (a nested object or array). */
export class UnsignableFieldError extends Error {
  constructor(readonly field: string) {
    super(`field "${field}" is a nested object: the gateway documents no text form for it`);
    this.name = 'UnsignableFieldError';
  }
}

/** True for values the gateway leaves out of the signature: null, undefined and ''. */
export function isAbsent(value: FieldValue): boolean {
  return value === null || value === undefined || value === '';
}

/** The plain text of a flat value: strings as they are, numbers in decimal, booleans as words. */
export function fieldText(name: string, value: FieldValue): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new UnsignableFieldError(name);
      return String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw new UnsignableFieldError(name);
  }
}

// Java's Character.toUpperCase / toLowerCase work on one UTF-16 unit and never
// change a string's length; JavaScript's may ('ß' -> 'SS'). Keep the unit then.
// Built on first use: only non-ASCII text needs them.
let upperTable: Uint16Array | undefined;
let lowerTable: Uint16Array | undefined;

function caseTables(): { upper: Uint16Array; lower: Uint16Array } {
  if (!upperTable || !lowerTable) {
    const upper = new Uint16Array(0x10000);
    const lower = new Uint16Array(0x10000);
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      const up = ch.toUpperCase();
      const low = ch.toLowerCase();
      upper[c] = up.length === 1 ? up.charCodeAt(0) : c;
      lower[c] = low.length === 1 ? low.charCodeAt(0) : c;
    }
    // 'İ' lower-cases to "i̇" in JavaScript; Java's simple mapping gives 'i'.
    lower[0x130] = 0x69;
    upperTable = upper;
    lowerTable = lower;
  }
  return { upper: upperTable, lower: lowerTable };
}

function foldedDifference(c1: number, c2: number): number {
  if (c1 < 0x80 && c2 < 0x80) {
    // ASCII: upper-casing then lower-casing reduces to comparing lower case.
    const l1 = c1 >= 0x41 && c1 <= 0x5a ? c1 + 32 : c1;
    const l2 = c2 >= 0x41 && c2 <= 0x5a ? c2 + 32 : c2;
    return l1 - l2;
  }
  const { upper, lower } = caseTables();
  const u1 = upper[c1]!;
  const u2 = upper[c2]!;
  if (u1 === u2) return 0;
  return lower[u1]! - lower[u2]!;
}

/** Java's String.CASE_INSENSITIVE_ORDER: per UTF-16 unit, upper-cased, then lower-cased. */
export function compareCaseInsensitive(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c1 = a.charCodeAt(i);
    const c2 = b.charCodeAt(i);
    if (c1 !== c2) {
      const d = foldedDifference(c1, c2);
      if (d !== 0) return d;
    }
  }
  return a.length - b.length;
}

/**
 * Sorts in place with Java's order; insertion sort is the fastest for a request's dozen fields.
 * `firsts` holds each entry's first unit folded (ASCII only): most pairs differ there, so the
 * full comparison runs only on a tie. Without it (a non-ASCII first unit), every pair is compared in full.
 */
function sortGatewayOrder(entries: string[], firsts: number[] | undefined): string[] {
  if (entries.length > 32) return entries.sort(compareCaseInsensitive);
  for (let i = 1; i < entries.length; i++) {
    const current = entries[i]!;
    const first = firsts ? firsts[i]! : 0;
    let j = i - 1;
    while (j >= 0) {
      const before = firsts ? firsts[j]! : 0;
      if (before < first || (before === first && compareCaseInsensitive(entries[j]!, current) <= 0)) break;
      entries[j + 1] = entries[j]!;
      if (firsts) firsts[j + 1] = before;
      j--;
    }
    entries[j + 1] = current;
    if (firsts) firsts[j + 1] = first;
  }
  return entries;
}

/** The signed entries, `name=value&` each, in the gateway's order, or in the order given by `compare`. */
export function signedEntries(fields: Fields, compare?: (a: string, b: string) => number): string[] {
  const entries: string[] = [];
  let firsts: number[] | undefined = [];
  for (const name of Object.keys(fields)) {
    if (name === 'sign') continue;
    const value = fields[name];
    if (value === null || value === undefined || value === '') continue;
    entries.push(`${name}=${typeof value === 'string' ? value : fieldText(name, value)}&`);
    if (firsts) {
      const c = name.charCodeAt(0);
      if (c < 0x80) firsts.push(c >= 0x41 && c <= 0x5a ? c + 32 : c);
      else firsts = undefined; // 'ı' and 'ſ' fold into ASCII: such names take the full comparison
    }
  }
  return compare ? entries.sort(compare) : sortGatewayOrder(entries, firsts);
}

/**
 * The text that precedes `key=<merchant key>`: every non-empty field except
 * `sign`, as `name=value&`, sorted as whole entries case-insensitively.
 */
export function canonicalString(fields: Fields): string {
  return signedEntries(fields).join('');
}

/** Names of the fields that take part in the signature, in signing order. */
export function signedFieldNames(fields: Fields): string[] {
  return signedEntries(fields).map((entry) => entry.slice(0, entry.indexOf('=')));
}
