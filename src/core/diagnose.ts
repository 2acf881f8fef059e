// Explanations for "sign fail": other orderings hand-written clients use, and likely causes of a mismatch.
import { createHash, createHmac } from 'node:crypto';
import { compareCaseInsensitive, fieldText, signedEntries, type Fields } from './canonical.js';
import { SANDBOX } from '../config/settings.js';
import { md5Hex, sign, signCanonical } from './sign.js';

export interface AlternativeOrdering {
  /** Short name of the ordering, e.g. "ASCII". */
  name: string;
  /** Who orders fields this way. */
  usedBy: string;
  canonical: string;
}

function entryName(entry: string): string {
  return entry.slice(0, entry.indexOf('='));
}

/** Plain code-unit order of the field names: `Object.keys().sort()`, PHP `ksort` on strings. */
export function compareAsciiNames(a: string, b: string): number {
  const x = entryName(a);
  const y = entryName(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** PHP's strnatcmp on field names: digit runs compare as numbers (`param2` before `param10`). */
export function compareNaturalNames(a: string, b: string): number {
  const x = entryName(a);
  const y = entryName(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cx = x.charCodeAt(i);
    const cy = y.charCodeAt(j);
    const dx = cx >= 48 && cx <= 57;
    const dy = cy >= 48 && cy <= 57;
    if (dx && dy) {
      let ei = i;
      let ej = j;
      while (ei < x.length && x.charCodeAt(ei) >= 48 && x.charCodeAt(ei) <= 57) ei++;
      while (ej < y.length && y.charCodeAt(ej) >= 48 && y.charCodeAt(ej) <= 57) ej++;
      const nx = x.slice(i, ei).replace(/^0+(?=\d)/, '');
      const ny = y.slice(j, ej).replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      i = ei;
      j = ej;
      continue;
    }
    if (cx !== cy) return cx - cy;
    i++;
    j++;
  }
  return x.length - i - (y.length - j);
}

const ORDERINGS = [
  { name: 'ASCII', usedBy: 'Object.keys().sort(), PHP ksort(), Python sorted()', compare: compareAsciiNames },
  { name: 'natural', usedBy: 'PHP ksort($p, SORT_NATURAL), natsort()', compare: compareNaturalNames },
];

/** The orderings hand-written clients use that would order these fields differently from the gateway. */
export function differingOrderings(fields: Fields): AlternativeOrdering[] {
  const gateway = signedEntries(fields).join('');
  const found: AlternativeOrdering[] = [];
  for (const ordering of ORDERINGS) {
    const canonical = signedEntries(fields, ordering.compare).join('');
    if (canonical !== gateway) found.push({ name: ordering.name, usedBy: ordering.usedBy, canonical });
  }
  return found;
}

const URL_ENCODED = /%[0-9A-Fa-f]{2}/;

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function flatEntries(fields: Fields): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of Object.keys(fields)) {
    if (name === 'sign') continue;
    const value = fields[name];
    if (value === null || value === undefined) continue;
    out.push([name, fieldText(name, value)]);
  }
  return out;
}

const MD5_HEX = /^[0-9a-f]{32}$/i;

function signOf(entries: Array<[string, string]>, key: string, keepEmpty = false): string {
  const parts = entries.filter(([, v]) => keepEmpty || v !== '').map(([n, v]) => `${n}=${v}&`);
  return signCanonical(parts.sort(compareCaseInsensitive).join(''), key);
}

/**
 * What is wrong with the form of a received sign (spaces around it, its case, its length), given the
 * sign the fields should carry; undefined when its form is not the problem.
 */
function signFormCause(received: string, expected: string): string | undefined {
  const trimmed = received.trim();
  if (trimmed.toUpperCase() === expected) {
    const spaced = trimmed !== received;
    const lower = trimmed !== trimmed.toUpperCase();
    if (spaced && lower) {
      return 'the sign is lower-case with spaces or a line break around it: send the 32 upper-case hex characters alone (the value is otherwise right)';
    }
    if (spaced) return 'the sign has spaces or a line break around it: send the 32 characters alone (the value is otherwise right)';
    if (lower) return 'the sign is lower-case: the gateway expects upper-case hex (the value is otherwise right)';
    return undefined;
  }
  if (MD5_HEX.test(trimmed)) return undefined;
  // The right digest written in base64 (Java's Base64 of MessageDigest bytes, PHP's base64_encode(md5($t, true))).
  if (trimmed === Buffer.from(expected, 'hex').toString('base64')) {
    return 'the sign is the right MD5 digest written in base64: the gateway expects it as 32 upper-case hex characters';
  }
  const hex = /^[0-9a-f]*$/i.test(trimmed);
  const digest = hex ? DIGEST_LENGTHS.get(trimmed.length) : undefined;
  if (digest) return `the received sign is ${trimmed.length} hex characters, the length of a ${digest} digest: the gateway signs with MD5 (32 hex characters)`;
  if (/^[A-Za-z0-9+/]{22}==$/.test(trimmed)) {
    return 'the received sign has the form of an MD5 digest written in base64 (24 characters ending in ==): the gateway expects 32 upper-case hex characters';
  }
  const count = `${trimmed.length} ${hex ? 'hex ' : ''}character${trimmed.length === 1 ? '' : 's'}`;
  const what = hex ? count : `${count}, not ${trimmed.length === 1 ? 'hex' : 'all hex'}`;
  return `the received sign is ${what}: an MD5 sign is 32 hex characters, so it was cut off or the sign field holds something else`;
}

/** Hex lengths of the digests signers reach for instead of MD5. */
const DIGEST_LENGTHS = new Map([
  [40, 'SHA-1'],
  [64, 'SHA-256'],
  [128, 'SHA-512'],
]);

/**
 * Signs made with another algorithm than the gateway's MD5 of `…&key=<key>`: a plain digest of that text,
 * or an HMAC keyed with the merchant key (over that text, or over the fields alone). The algorithm's name, or undefined.
 */
function otherAlgorithm(received: string, gatewayText: string, key: string): string | undefined {
  const text = `${gatewayText}key=${key}`;
  const fieldsOnly = gatewayText.slice(0, -1);
  const wanted = received.trim().toLowerCase();
  for (const algorithm of ['sha1', 'sha256', 'sha512']) {
    if (createHash(algorithm).update(text, 'utf8').digest('hex') === wanted) return `${algorithm.toUpperCase().replace('SHA', 'SHA-')} of the text`;
  }
  for (const algorithm of ['md5', 'sha1', 'sha256']) {
    for (const over of [text, fieldsOnly]) {
      if (createHmac(algorithm, key).update(over, 'utf8').digest('hex') === wanted) return `HMAC-${algorithm.toUpperCase()} keyed with the merchant key`;
    }
  }
  return undefined;
}

/**
 * GBK's two-byte code of each character it has, built once from the platform's GBK decoder (there is no encoder).
 * A Node built without full ICU has no GBK decoder: then nothing is GBK.
 */
let gbkCodes: Map<string, number> | undefined;
function gbkBytes(text: string): Buffer | undefined {
  if (!gbkCodes) {
    gbkCodes = new Map();
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      decoder = new TextDecoder('gbk');
    } catch {
      return undefined;
    }
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(new Uint8Array([lead, trail]));
        if (ch.length === 1 && ch !== '\uFFFD' && !gbkCodes.has(ch)) gbkCodes.set(ch, (lead << 8) | trail);
      }
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x80) bytes.push(code);
    else {
      const two = gbkCodes.get(ch);
      if (two === undefined) return undefined;
      bytes.push(two >> 8, two & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * A sign made over the text's bytes in another character set than UTF-8: GBK (Java's getBytes() on a Chinese
 * Windows, PHP's mb_convert_encoding) or Latin-1/Windows-1252 (getBytes() on a Western one). Only for text with
 * characters beyond ASCII, where the bytes differ. The character set's name, or undefined.
 */
function otherCharset(received: string, text: string): string | undefined {
  if (!/[^\x00-\x7F]/.test(text)) return undefined;
  const wanted = received.trim().toUpperCase();
  const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex').toUpperCase();
  if (/^[\x00-\xFF]*$/.test(text) && md5(Buffer.from(text, 'latin1')) === wanted) {
    return 'Latin-1 (Windows-1252) bytes, as Java\'s getBytes() writes them on a Western Windows';
  }
  const gbk = gbkBytes(text);
  if (gbk && md5(gbk) === wanted) return 'GBK bytes, as Java\'s getBytes() writes them on a Chinese Windows';
  return undefined;
}

const AMOUNT_FIELDS = new Set(['amount', 'refundAmount']);

/** Whole cents as a signer that mixed up the unit writes them; string arithmetic, never floats. */
const AMOUNT_FORMS: Array<[string, (cents: string) => string]> = [
  ['dollars', (c) => `${c.slice(0, -2) || '0'}.${c.padStart(2, '0').slice(-2)}`],
  ['cents with decimals', (c) => `${c}.00`],
  ['cents with a decimal', (c) => `${c}.0`],
];

/** RFC 3986 percent-encoding of everything but letters, digits and -_.~ (PHP's rawurlencode). */
const rawUrlEncode = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const URL_ENCODINGS: Array<[string, (value: string) => string]> = [
  ['as PHP\'s http_build_query writes them, "+" for a space', (v) => rawUrlEncode(v).replaceAll('%20', '+').replaceAll('~', '%7E')],
  ['as rawurlencode writes them, "%20" for a space', rawUrlEncode],
  ['as encodeURIComponent writes them', (v) => encodeURIComponent(v)],
];

/** Whether every URL encoder above writes these `name=value` lines' values (decoded) the same way. */
function encodersAgree(signed: string): boolean {
  return signed.split('\n').every((line) => {
    const value = safeDecode(line.slice(line.indexOf('=') + 1));
    return value !== undefined && URL_ENCODINGS.every(([, encode]) => encode(value) === URL_ENCODINGS[0]![1](value));
  });
}

/** A field value that is a JSON object or array, parsed; undefined for anything else. */
function jsonValue(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON with Python's json.dumps default separators: `{"a": 1, "b": [1, 2]}`. */
function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${spacedJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Every character beyond ASCII as \uXXXX, as json.dumps (ensure_ascii) and PHP's json_encode write it. */
const asciiJson = (text: string) => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The ways clients commonly serialize the same JSON value. */
const JSON_FORMS: Array<[string, (value: unknown) => string]> = [
  ['compact', (v) => JSON.stringify(v)],
  ['spaced (", " and ": ", as Python\'s json.dumps writes it)', (v) => spacedJson(v)],
  ['spaced and ASCII-escaped (as Python\'s json.dumps writes it by default)', (v) => asciiJson(spacedJson(v))],
  ['ASCII-escaped compact', (v) => asciiJson(JSON.stringify(v))],
  ['escaped (\\/ and \\uXXXX, as PHP\'s json_encode writes it by default)', (v) => asciiJson(JSON.stringify(v)).replaceAll('/', '\\/')],
];

/** A value as sent, rewritten as a signer may have had it; a cause when signing the rewritten values explains the sign. */
interface ValueRewrite {
  rewrite: (value: string, name: string) => string | undefined;
  /** `signed` is what the signer must have signed, as `name=value` lines. */
  cause: (names: string, was: 'was' | 'were', signed: string) => string;
}

const plain = (v: string) => !URL_ENCODED.test(v);

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' };
const HTML_UNESCAPES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#039': "'", '#39': "'", apos: "'" };

/** Zero-width characters and the byte order mark: invisible in a terminal, signed all the same. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** White space around a value, trimmed by the signer (a form library, PHP's trim): the gateway signs values as they are. */
const TRIMMED: ValueRewrite = {
  rewrite: (v) => v.trim(),
  cause: (names, was) => `${names} ${was} signed without the white space around ${was === 'was' ? 'its value' : 'their values'}: the gateway signs values as they are, white space included`,
};

const VALUE_REWRITES: ValueRewrite[] = [
  // "+" for a space, as a form or query string carries it, decoded by one side and not the other
  // (decodeURIComponent leaves "+"; a form decoder turns it into a space).
  {
    rewrite: (v) => (plain(v) ? v.replaceAll('+', ' ') : undefined),
    cause: (names, was) => `${names} arrived form-encoded ("+" for a space) but ${was} signed with the space: decode the transport as a form (decodeURIComponent leaves "+") before verifying`,
  },
  {
    rewrite: (v) => (plain(v) ? v.replaceAll(' ', '+') : undefined),
    cause: (names, was) => `${names} ${was} signed with "+" for a space (the form-encoded text): sign the value itself`,
  },
  TRIMMED,
  // Characters that look like nothing or like a space: pasted text, a product name from a CMS.
  {
    rewrite: (v) => v.replace(/\u00A0/g, ' ').replace(INVISIBLE, ''),
    cause: (names, was) =>
      `${names} ${was} signed with plain spaces, and without the invisible characters, that the text sent holds (a no-break space U+00A0, a zero-width space U+200B, …): sign the exact text sent`,
  },
  // HTML escaping applied on one side only (PHP's htmlspecialchars on the way in or out).
  {
    rewrite: (v) => (/[&<>"']/.test(v) ? v.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!) : undefined),
    cause: (names, was) => `${names} ${was} signed HTML-escaped (&amp; &lt; &quot;, as htmlspecialchars writes it): sign the plain text sent`,
  },
  {
    rewrite: (v) => (/&(?:amp|lt|gt|quot|#0?39|apos);/.test(v) ? v.replace(/&(amp|lt|gt|quot|#0?39|apos);/g, (_, e: string) => HTML_UNESCAPES[e]!) : undefined),
    cause: (names, was) => `${names} arrived HTML-escaped (&amp; &lt; &quot;) but ${was} signed as plain text: escape for a page only after signing and sending`,
  },
  // Accented letters composed on one side and decomposed on the other (é as one code point or as e and a combining accent).
  {
    rewrite: (v) => (/[^\x00-\x7F]/.test(v) ? v.normalize('NFC') : undefined),
    cause: (names, was) => `${names} ${was} signed with accented letters composed (Unicode NFC) where the text sent has them decomposed (NFD, as macOS writes file names): sign the exact text sent`,
  },
  {
    rewrite: (v) => (/[^\x00-\x7F]/.test(v) ? v.normalize('NFD') : undefined),
    cause: (names, was) => `${names} ${was} signed with accented letters decomposed (Unicode NFD, as macOS writes file names) where the text sent has them composed: sign the exact text sent`,
  },
  // Money signed in another form than the whole cents sent.
  ...AMOUNT_FORMS.map(([form, rewrite]): ValueRewrite => ({
    rewrite: (v, n) => (AMOUNT_FIELDS.has(n) && /^\d+$/.test(v) ? rewrite(v) : undefined),
    cause: (names, was, signed) => `${names} ${was} signed as ${form} (${signed.replaceAll('\n', ', ')}): amounts are whole cents, signed as sent`,
  })),
  // Plain values sent, but signed URL-encoded; which encoder is said only where they differ on these values (a
  // space, ~ ! ' ( ) *), as a URL alone comes out the same from all three.
  ...URL_ENCODINGS.map(([how, encode]): ValueRewrite => ({
    rewrite: (v) => (plain(v) ? encode(v) : undefined),
    cause: (names, was, signed) => `${names} ${was} signed URL-encoded${encodersAgree(signed) ? '' : ` (${how})`}: the gateway signs the plain values`,
  })),
  // A JSON string field (extra) serialized twice, differently. The sign covers the exact text sent.
  ...JSON_FORMS.map(([form, serialize]): ValueRewrite => ({
    rewrite: (v) => {
      const parsed = jsonValue(v);
      return parsed === undefined ? undefined : serialize(parsed);
    },
    cause: (names, was) => `${names} ${was} signed as ${form} JSON text, not as the text sent: serialize it once, then sign and send that same string`,
  })),
];

/** Said after the causes that explain a lower-case sign once upper-cased: a second thing to fix, not another explanation. */
export const LOWER_CASE_TOO = 'the sign is also lower-case: the gateway expects upper-case hex';

/**
 * The causes of a mismatch: when the sign was made with one of `otherKeys` (keys the signer may have used instead,
 * each with what to say then), that one; else what diagnoseMismatch finds in the fields.
 */
export function mismatchCauses(fields: Fields, key: string, received: string, otherKeys?: ReadonlyMap<string, string>): string[] {
  for (const [other, cause] of otherKeys ?? []) {
    if (sign(fields, other) !== received.toUpperCase()) continue;
    return received === received.toUpperCase() ? [cause] : [cause, LOWER_CASE_TOO];
  }
  return diagnoseMismatch(fields, key, received);
}

/** Above this many fields no cause is looked for (see diagnoseMismatch). */
const MAX_DIAGNOSED_FIELDS = 200;

/**
 * Likely causes of a mismatch that can be detected from the fields alone,
 * most specific first. Each is one sentence a developer can act on.
 */
export function diagnoseMismatch(fields: Fields, key: string, received: string): string[] {
  const causes: string[] = [];
  const entries = flatEntries(fields);
  // The search signs the fields once per candidate, and once per field left out: on thousands of fields (a hostile
  // body to the mock or listen) that is seconds of blocked event loop. The gateway's messages have about twenty.
  if (entries.length > MAX_DIAGNOSED_FIELDS) {
    const form = signFormCause(received, signOf(entries, key));
    return [form ?? `no cause was looked for: the message has ${entries.length} fields (the gateway's have about 20; the search stops at ${MAX_DIAGNOSED_FIELDS})`];
  }
  /** Set when a cause explained the sign only once it was upper-cased: the case is a second thing to fix. */
  let lowerCaseToo = false;
  const matches = (candidate: string): boolean => {
    if (candidate === received) return true;
    if (candidate !== received.toUpperCase()) return false;
    lowerCaseToo = true;
    return true;
  };
  // The text the gateway hashes, before the key: `a=1&b=2&`.
  const gatewayText = signedEntries(fields).join('');
  const hashed = `${gatewayText}key=${key}`;

  const algorithm = otherAlgorithm(received, gatewayText, key);
  const charset = algorithm ? undefined : otherCharset(received, hashed);
  const form = algorithm || charset ? undefined : signFormCause(received, md5Hex(hashed));
  if (algorithm) causes.push(`the sign was made with ${algorithm}: the gateway signs with plain MD5 of the sorted fields followed by key=<merchant key>`);
  if (charset) causes.push(`the sign was made over the text's ${charset}: the gateway hashes UTF-8 (getBytes("UTF-8"))`);
  if (form) causes.push(form);

  const encoded = entries.filter(([, v]) => URL_ENCODED.test(v));
  if (encoded.length > 0) {
    const decoded = entries.map(([n, v]): [string, string] => [n, URL_ENCODED.test(v) ? (safeDecode(v) ?? v) : v]);
    const names = encoded.map(([n]) => n).join(', ');
    if (matches(signOf(decoded, key))) {
      causes.push(`${names} arrived URL-encoded but ${encoded.length === 1 ? 'was' : 'were'} signed decoded: decode the transport once before verifying`);
    } else {
      causes.push(`${names} ${encoded.length === 1 ? 'looks' : 'look'} URL-encoded: sign the plain text, not the percent-encoded form`);
    }
  }

  const signedWith = (changed: Map<string, string>) => matches(signOf(entries.map(([n, v]): [string, string] => [n, changed.get(n) ?? v]), key));
  /**
   * The values `rewrite` changes, when signing them changed explains the sign: all of them, or else one alone (a
   * signer that URL-encoded its notifyUrl but not its subject, or trimmed one field of a form).
   */
  const explainedBy = (rewrite: ValueRewrite['rewrite']) => {
    const changed = new Map<string, string>();
    for (const [n, v] of entries) {
      const other = rewrite(v, n);
      if (other !== undefined && other !== v) changed.set(n, other);
    }
    let found: Map<string, string> | undefined = changed.size > 0 && signedWith(changed) ? changed : undefined;
    // One by one only for as many values as a gateway message has: each is another sign of every field.
    if (!found && changed.size > 1 && changed.size <= 30) {
      found = [...changed].map((one) => new Map([one])).find(signedWith);
    }
    if (!found) return undefined;
    return { names: [...found.keys()].join(', '), one: found.size === 1, signed: [...found].map(([n, v]) => `${n}=${v}`).join('\n') };
  };
  // Rewrites that come out the same for these values (a space as "+" by hand and by http_build_query) are one
  // cause, named by the first.
  const explaining = new Set<string>();
  const explained = new Set<ValueRewrite>();
  for (const each of VALUE_REWRITES) {
    const found = explainedBy(each.rewrite);
    if (found === undefined || explaining.has(found.signed)) continue;
    explaining.add(found.signed);
    explained.add(each);
    causes.push(each.cause(found.names, found.one ? 'was' : 'were', found.signed));
  }

  if (entries.some(([, v]) => v === '') && matches(signOf(entries, key, true))) {
    const empty = entries.filter(([, v]) => v === '').map(([n]) => n);
    const which = empty.length === 1 ? `the empty field ${empty[0]} was` : `the empty fields ${empty.join(', ')} were`;
    causes.push(`${which} signed as "name=&": empty fields must be left out`);
  }

  // A null field written out by the signer's language (JavaScript's "null" or "undefined", Python's "None").
  const nulls = Object.keys(fields).filter((name) => name !== 'sign' && (fields[name] === null || fields[name] === undefined));
  for (const word of nulls.length > 0 ? ['null', 'undefined', 'None'] : []) {
    if (matches(signOf([...entries, ...nulls.map((n): [string, string] => [n, word])], key))) {
      causes.push(`${nulls.length === 1 ? `the null field ${nulls[0]} was` : `the null fields ${nulls.join(', ')} were`} signed as "name=${word}&": null fields must be left out`);
    }
  }

  // Fields whose value is 0 left out, as PHP's empty() (and a truthiness test) leaves them out.
  const zeros = entries.filter(([, v]) => v === '0');
  const zerosLeftOut = zeros.length > 0 && matches(signOf(entries.filter(([, v]) => v !== '0'), key));
  if (zerosLeftOut) {
    const names = zeros.map(([n]) => n);
    causes.push(`${names.length === 1 ? `the field ${names[0]}, which is 0, was` : `the fields ${names.join(', ')}, which are 0, were`} left out of the sign, as PHP's empty() leaves them out: only empty and null fields are left out`);
  }

  // A 0 left out is said above, as what PHP does.
  const removable = entries.flatMap(([name, value], i) => (value === '' || (zerosLeftOut && value === '0') ? [] : [{ name, i }]));
  let addedFound = false;
  for (const { name, i } of removable) {
    if (matches(signOf(entries.filter((_, j) => j !== i), key))) {
      causes.push(`the sign matches without "${name}": that field was added or changed after signing`);
      addedFound = true;
    }
  }
  // Two fields added after signing (a wrapper that sets jobNo and extra on a signed order): every pair, as many
  // signs as a gateway message of ~20 fields has pairs (190), so only up to 30 fields.
  if (!addedFound && removable.length <= 30) {
    for (let a = 0; a < removable.length; a++) {
      for (let b = a + 1; b < removable.length; b++) {
        const [x, y] = [removable[a]!, removable[b]!];
        if (matches(signOf(entries.filter((_, j) => j !== x.i && j !== y.i), key))) {
          causes.push(`the sign matches without "${x.name}" and "${y.name}": those fields were added or changed after signing`);
        }
      }
    }
  }

  // The right text, hashed with the key as it often arrives: with the line break of the file or secret it was
  // read from, with quotes from a .env file, or the mock's sandbox key still in place.
  const keyForms: Array<[string, string]> = [
    [`${key}\n`, 'the key followed by a line break (read from a file or a secret with its newline): trim it'],
    [`${key}\r\n`, 'the key followed by a Windows line break (CR LF): trim it'],
    [`${key} `, 'the key followed by a space: trim it'],
    [`"${key}"`, 'the key in double quotes (as a .env file writes it): remove them'],
    [`'${key}'`, 'the key in single quotes: remove them'],
    [SANDBOX.key, `the sandbox key (${SANDBOX.key}), not the merchant key: set the real key where the signer reads it`],
  ];
  for (const [other, cause] of keyForms) {
    if (other !== key && matches(md5Hex(`${gatewayText}key=${other}`))) causes.push(`the sign was made with ${cause}`);
  }

  // The key joined to the fields the wrong way, as hand-written signers do.
  const keyJoins: Array<[string, string]> = [
    [gatewayText.slice(0, -1), 'the sign was made without the key: hash the sorted fields followed by key=<merchant key>'],
    [`${gatewayText}${key}`, 'the key was appended without "key=": the text to hash ends in &key=<merchant key>'],
    [`${gatewayText.slice(0, -1)}key=${key}`, 'the "&" before key= is missing: the text to hash ends in &key=<merchant key>'],
    [hashed.toLowerCase(), 'the text was lower-cased before hashing: hash it exactly as it is'],
  ];
  // The key put among the fields and sorted with them (a signer that adds it to the map before sorting), with or
  // without the "&" after the last entry; said only where sorting moved it from the end.
  const keySorted = signedEntries({ ...fields, key }).join('');
  if (!Object.hasOwn(fields, 'key') && keySorted.slice(0, -1) !== hashed) {
    const cause = 'the key was sorted in among the fields: the text to hash is the sorted fields, then key=<merchant key> at the end';
    keyJoins.push([keySorted.slice(0, -1), cause], [keySorted, cause]);
  }
  // The key put first, as some other gateways have it (said as sorting only where sorting would put it first).
  const keyFirst = `key=${key}&${gatewayText}`;
  for (const text of [keyFirst.slice(0, -1), keyFirst]) {
    if (!keyJoins.some(([other]) => other === text)) keyJoins.push([text, 'the key was put first: the text to hash is the sorted fields, then key=<merchant key> at the end']);
  }
  // (A text already in lower case is the right one: no cause there.)
  for (const [text, cause] of keyJoins) if (text !== hashed && matches(md5Hex(text))) causes.push(cause);

  const orderings = new Set([gatewayText]);
  for (const ordering of ORDERINGS) {
    const canonical = signedEntries(fields, ordering.compare).join('');
    if (!orderings.has(canonical) && matches(signCanonical(canonical, key))) {
      causes.push(`the sign was made with fields in ${ordering.name} order (${ordering.usedBy}); the gateway sorts whole entries case-insensitively`);
    }
    orderings.add(canonical);
  }
  // The fields in the order they came, never sorted: a signer that joins its map as it built it (said as a
  // sorting where one gives that order).
  const unsorted = entries.filter(([, v]) => v !== '').map(([n, v]) => `${n}=${v}&`).join('');
  if (!orderings.has(unsorted) && matches(signCanonical(unsorted, key))) {
    causes.push('the sign was made over the fields in the order they came, unsorted: sort the entries by name, case-insensitively, before joining them');
  }

  // Said without testing the sign, unless trimming was found to explain it (said above, by name).
  if (!explained.has(TRIMMED) && (entries.some(([n]) => n !== n.trim()) || entries.some(([, v]) => v !== v.trim()))) {
    causes.push('some names or values have leading or trailing spaces: they are signed as they are, never trimmed');
  }
  if (lowerCaseToo && causes.length > 0) causes.push(LOWER_CASE_TOO);
  return causes;
}
