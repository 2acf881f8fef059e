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

const isNested = (value: FieldValue): boolean => value !== null && typeof value === 'object';

/** The fields without their nested values (objects, arrays), which have no text to sign: the same object when there are none. */
export function withoutNestedValues<T extends Fields>(fields: T): T {
  for (const name in fields) {
    if (!isNested(fields[name])) continue;
    const flat: Record<string, FieldValue> = { ...fields };
    for (const other in flat) if (isNested(flat[other])) delete flat[other];
    return flat as T;
  }
  return fields;
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

/** The folded difference at the first unit where `a` and `b` differ within their common length, or 0. */
function prefixDifference(a: string, b: string, n: number): number {
  for (let i = 0; i < n; i++) {
    const c1 = a.charCodeAt(i);
    const c2 = b.charCodeAt(i);
    if (c1 !== c2) {
      const d = foldedDifference(c1, c2);
      if (d !== 0) return d;
    }
  }
  return 0;
}

/** Java's String.CASE_INSENSITIVE_ORDER: per UTF-16 unit, upper-cased, then lower-cased. */
export function compareCaseInsensitive(a: string, b: string): number {
  return prefixDifference(a, b, Math.min(a.length, b.length)) || a.length - b.length;
}

/**
 * Compares the entries `a=…&` and `b=…&` by their names alone, as Java's order would:
 * that is `a + '='` against `b + '='`. Returns 0 when the names do not decide (names
 * equal but for case, or one is the other followed by '='): the values must then be compared.
 */
function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  const d = prefixDifference(a, b, n);
  if (d !== 0 || a.length === b.length) return d;
  return a.length < b.length ? foldedDifference(0x3d, b.charCodeAt(n)) : foldedDifference(a.charCodeAt(n), 0x3d);
}

/** `name=text&` for one field (its value known to be signable and non-empty). */
function entryOf(fields: Fields, name: string): string {
  const value = fields[name];
  return `${name}=${typeof value === 'string' ? value : fieldText(name, value)}&`;
}

/** Non-empty and not `sign`; a value with no text form throws here, in the fields' own order. */
function isSigned(fields: Fields, name: string): boolean {
  if (name === 'sign') return false;
  const value = fields[name];
  if (value === null || value === undefined || value === '') return false;
  if (typeof value !== 'string') fieldText(name, value);
  return true;
}

/** Java's order of two signed entries, deciding on the names when they can. */
function compareFields(fields: Fields, a: string, b: string): number {
  return compareNames(a, b) || compareCaseInsensitive(entryOf(fields, a), entryOf(fields, b));
}

/** Names of the signed fields sorted by a full comparison of their entries (any names, any values). */
function sortSignedNames(fields: Fields, keys: string[]): string[] {
  const names: string[] = [];
  if (keys.length > 33) {
    for (const name of keys) if (isSigned(fields, name)) names.push(name);
    return names.sort((a, b) => compareFields(fields, a, b));
  }
  // A request's dozen fields sort fastest by insertion as they are read.
  for (const name of keys) {
    if (!isSigned(fields, name)) continue;
    let j = names.length - 1;
    while (j >= 0 && compareFields(fields, names[j]!, name) > 0) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

/**
 * The signing order of a set of field names, worked out once per shape: a client sends every
 * request with the same names in the same order, and the mock answers each endpoint with the
 * same names, so the sort is done once instead of per sign. Names alone decide the order unless
 * two tie (equal but for case, or a name holding '='): such a shape is kept with no order, as
 * its values must then decide. A few shapes are kept, the oldest replaced first.
 */
interface Shape {
  keys: readonly string[];
  /** Indexes into `keys` in signing order, `sign` left out; undefined when names tie. */
  order: readonly number[] | undefined;
  /** `&name=` for each position of `order`. */
  prefixes: readonly string[];
  /**
   * A `&name=` slot and a value slot for each position of `order`, then `&key=` and the key's
   * slot: filled and joined for each sign, so one flat string comes out instead of an entry
   * string per field and a rope for the hash to flatten.
   */
  parts: string[];
}
const SHAPES_KEPT = 8;
const MAX_SHAPE_FIELDS = 64;
const shapes: Shape[] = [];
let nextShape = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(keys: string[]): Shape | undefined {
  for (let i = 0; i < shapes.length; i++) if (sameKeys(shapes[i]!.keys, keys)) return shapes[i]!;
  if (keys.length > MAX_SHAPE_FIELDS) return undefined;
  const order: number[] = [];
  for (let i = 0; i < keys.length; i++) if (keys[i] !== 'sign') order.push(i);
  order.sort((a, b) => compareNames(keys[a]!, keys[b]!));
  // Names that tie sort next to each other.
  let ties = false;
  for (let i = 1; i < order.length && !ties; i++) ties = compareNames(keys[order[i - 1]!]!, keys[order[i]!]!) === 0;
  const prefixes = ties ? [] : order.map((i) => `&${keys[i]!}=`);
  const parts = ties ? [] : [...prefixes.flatMap((prefix) => [prefix, '']), '&key=', ''];
  const shape: Shape = { keys: keys.slice(), order: ties ? undefined : order, prefixes, parts };
  shapes[nextShape] = shape;
  nextShape = (nextShape + 1) % SHAPES_KEPT;
  return shape;
}

/**
 * The text of a value on the kept-order path: '' when absent, undefined when the full path must
 * take it (booleans, nested values: it names the first unsignable field in the fields' own order).
 */
function keptOrderText(value: FieldValue): string | undefined {
  if (typeof value === 'string') return value;
  if (isAbsent(value)) return '';
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** Names of the signed fields, sorted as their whole entries would be with Java's order. */
function signedNames(fields: Fields): string[] {
  const keys = Object.keys(fields);
  const order = shapeOf(keys)?.order;
  if (order === undefined) return sortSignedNames(fields, keys);
  const names: string[] = [];
  for (let i = 0; i < order.length; i++) {
    const name = keys[order[i]!]!;
    const text = keptOrderText(fields[name]);
    if (text === undefined) return sortSignedNames(fields, keys);
    if (text !== '') names.push(name);
  }
  return names;
}

/** The signed entries, `name=value&` each, in the gateway's order, or in the order given by `compare`. */
export function signedEntries(fields: Fields, compare?: (a: string, b: string) => number): string[] {
  if (!compare) return signedNames(fields).map((name) => entryOf(fields, name));
  return Object.keys(fields)
    .filter((name) => isSigned(fields, name))
    .map((name) => entryOf(fields, name))
    .sort(compare);
}

/**
 * The text that precedes `key=<merchant key>`: every non-empty field except
 * `sign`, as `name=value&`, sorted as whole entries case-insensitively.
 */
export function canonicalString(fields: Fields): string {
  let text = '';
  for (const name of signedNames(fields)) text += entryOf(fields, name);
  return text;
}

/** `canonicalString(fields) + 'key=' + key`: the text whose MD5 is the sign. */
export function keyedCanonical(fields: Fields, key: string): string {
  const keys = Object.keys(fields);
  const shape = shapeOf(keys);
  const order = shape?.order;
  if (shape === undefined || order === undefined) return canonicalString(fields) + 'key=' + key;
  const { parts, prefixes } = shape;
  for (let i = 0; i < order.length; i++) {
    const text = keptOrderText(fields[keys[order[i]!]!]);
    if (text === undefined) return canonicalString(fields) + 'key=' + key;
    parts[2 * i] = text === '' ? '' : prefixes[i]!;
    parts[2 * i + 1] = text;
  }
  parts[parts.length - 1] = key;
  // Every name slot starts with '&': the first one is not part of the text.
  const text = parts.join('').slice(1);
  parts[parts.length - 1] = '';
  return text;
}

/** Names of the fields that take part in the signature, in signing order. */
export function signedFieldNames(fields: Fields): string[] {
  return signedNames(fields);
}
