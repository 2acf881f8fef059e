// Detects and parses the field sets `sign` and `verify` accept: name=value args, JSON, params= bodies, query strings, URLs.
import type { FieldValue } from './canonical.js';

export type InputFormat = 'arguments' | 'lines' | 'json' | 'params-form' | 'query' | 'url';

export interface ParsedInput {
  format: InputFormat;
  fields: Record<string, FieldValue>;
}

/** Input that cannot be read as a field set; the message says what is wrong. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Larger inputs are refused: the gateway's own bodies are far smaller. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** Decodes bytes as strict UTF-8, without a BOM; refuses invalid sequences and oversize input. */
export function decodeInputBytes(bytes: Uint8Array, source: string): string {
  if (bytes.byteLength > MAX_INPUT_BYTES) {
    throw new InputError(`${source} is larger than 1 MiB: pass only the fields to sign`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError(`${source} is not valid UTF-8: the gateway signs UTF-8 text`);
  }
}

function decodeComponent(text: string, what: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new InputError(`${what} has invalid percent-encoding`);
  }
}

function assign(fields: Record<string, FieldValue>, name: string, value: FieldValue): void {
  if (name === '') throw new InputError('a field has an empty name');
  if (Object.prototype.hasOwnProperty.call(fields, name)) {
    throw new InputError(`field "${name}" appears twice: the gateway would see only one of them`);
  }
  fields[name] = value;
}

/** `a=1&b=2` with form decoding (`+` is a space); duplicate names are refused. */
export function parseQueryString(text: string): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = Object.create(null);
  const body = text.startsWith('?') ? text.slice(1) : text;
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    // `a=1&amp;b=2`: copied from a web page or an HTML log, every field after the first would be named "amp;…".
    if (rawName.startsWith('amp;')) {
      throw new InputError('the fields are joined with "&amp;" instead of "&" (HTML-escaped, as copied from a web page or an HTML log): replace each "&amp;" with "&"');
    }
    const name = decodeComponent(rawName, `field name "${rawName.slice(0, 40)}"`);
    assign(fields, name, decodeComponent(rawValue, `field "${name}"`));
  }
  return fields;
}

/** What most often makes pasted text almost-JSON, when the text shows it. */
export function likelyJsonSlip(text: string): string | undefined {
  if (/[\u201C\u201D\u2018\u2019]/.test(text)) return 'it has curly quotes (“ ” ‘ ’), as a chat app or word processor writes them: use straight double quotes';
  if (/^\{\s*'/.test(text)) return "its names are in single quotes (a Python dict or a JavaScript object printed, not JSON): print it with json.dumps or JSON.stringify";
  if (/,\s*[}\]]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return 'it has a comma before a closing } or ], which JSON does not allow';
  return undefined;
}

/** A JSON object; arrays and scalars are refused. */
export function parseJsonObject(text: string, what = 'the JSON input'): Record<string, FieldValue> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^.*?JSON[^:]*: ?/, '') : '';
    const cause = likelyJsonSlip(text);
    throw new InputError(`${what} is not valid JSON${detail ? ` (${detail})` : ''}${cause ? `: ${cause}` : ''}`);
  }
  if (value === null || typeof value !== 'object') {
    throw new InputError(`${what} is a JSON ${value === null ? 'null' : typeof value}, expected an object of fields`);
  }
  if (Array.isArray(value)) throw new InputError(`${what} is a JSON array, expected an object of fields`);
  const lost = lostInParsing(text);
  if (lost && 'duplicate' in lost) throw new InputError(`field "${lost.name}" appears twice: the gateway would see only one of them`);
  if (lost) throw new InputError(`field "${lost.name}" ${numberLost(lost.number, 'a sign would not be over the text given')}`);
  return value as Record<string, FieldValue>;
}

/** `is the number 1.10, which JSON parsing turns into 1.1: <why it matters>; write it as 1.1, or as a string`. */
export function numberLost(number: string, why: string): string {
  const read = Number(number);
  const same = Number.isFinite(read) && (!Number.isInteger(read) || Number.isSafeInteger(read)) ? `write it as ${read}, or as a string` : 'write it as a string';
  return `is the number ${number}, which JSON parsing turns into ${read}: ${why}; ${same}`;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The first field of valid JSON that parsing loses: a top-level name given twice (parsing keeps only
 * the last), or a number written in a form that parsing does not keep (1.10, 1e2, 100.0, -0, digits
 * beyond 2^53): once parsed, only String(value) is left to sign or send, and the gateway reads the
 * text it received. Numbers are looked for in the top-level fields (the signed ones), or with
 * `anyDepth` in nested values too (a JSON text sent as written out again), named by their own key.
 */
export function lostInParsing(text: string, anyDepth = false): { name: string; duplicate: true } | { name: string; number: string } | undefined {
  let depth = 0;
  let name = '';
  let expectValue = false;
  /** Where the last string was, read as a name only when a colon follows it. */
  let lastString: [number, number] = [0, 0];
  const names = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      if (depth === 1 && !expectValue) {
        const topName = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(topName)) return { name: topName, duplicate: true };
        names.add(topName);
      }
      lastString = [i, end + 1];
      expectValue = false;
      i = end;
    } else if (c === 0x3a) {
      expectValue = depth === 1;
      // A nested name is needed only to name a nested number.
      if (expectValue || anyDepth) name = JSON.parse(text.slice(lastString[0], lastString[1])) as string;
    } else if ((expectValue || anyDepth) && (c === 0x2d || (c >= 0x30 && c <= 0x39))) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)![0];
      if (String(Number(token)) !== token) return { name, number: token };
      expectValue = false;
      i += token.length - 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      expectValue = false;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c) {
      expectValue = false;
    }
  }
  return undefined;
}

/** The JSON object inside a `params={...}` form body. */
export function parseParamsForm(text: string): Record<string, FieldValue> {
  const form = parseQueryString(text);
  const params = form.params;
  if (typeof params !== 'string') throw new InputError('the form body has no "params" field');
  const others = Object.keys(form).filter((name) => name !== 'params');
  if (others.length > 0) {
    throw new InputError(`the form body has fields besides "params" (${others.join(', ')}): the gateway reads only params`);
  }
  return parseJsonObject(params, 'the "params" value');
}

/** `name=value` command-line arguments, taken literally (no decoding). */
export function parseArguments(args: readonly string[]): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = Object.create(null);
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new InputError(`"${arg.slice(0, 40)}" is not name=value`);
    assign(fields, arg.slice(0, eq), arg.slice(eq + 1));
  }
  return fields;
}

/** How many line breaks the white space before the text holds (trimmed away before parsing). */
function linesBefore(raw: string): number {
  const lead = /^[\uFEFF\s]*/.exec(raw)![0];
  return lead.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** Detects the format of one text input and parses it. */
export function parseFieldText(raw: string): ParsedInput {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text === '') throw new InputError('the input is empty: give name=value pairs, JSON, a query string or a URL');
  if (text.startsWith('{') || text.startsWith('[')) return { format: 'json', fields: parseJsonObject(text) };
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InputError('the input looks like a URL but cannot be parsed');
    }
    if (url.search === '') throw new InputError('the URL has no query string: no fields to read');
    return { format: 'url', fields: parseQueryString(url.search) };
  }
  if (/^params=/.test(text)) return { format: 'params-form', fields: parseParamsForm(text) };
  if (/[\r\n]/.test(text) && /^[^=&\s]+=/.test(text)) {
    // One name=value a line (a file of fields): taken literally, as arguments are.
    const all = text.split(/\r\n|\r|\n/);
    // Named by its number, not echoed: a file of fields may hold a stray secret.
    const bad = all.findIndex((line) => line.trim() !== '' && !/^[^=&\s]+=/.test(line));
    if (bad !== -1) {
      throw new InputError(
        `line ${bad + 1 + linesBefore(raw)} is not name=value: give one name=value a line, or one query string (a line break in a value is written %0A)`,
      );
    }
    return { format: 'lines', fields: parseArguments(all.filter((line) => line.trim() !== '')) };
  }
  if (/^[^=&\s]+=/.test(text) || text.startsWith('?')) return { format: 'query', fields: parseQueryString(text) };
  // PHP shops paste what their logs hold: a dump that does not keep values exactly (types, white space).
  const dump = /^Array\s*\(/.test(text) ? 'print_r' : /^array\(\d+\)\s*\{/.test(text) ? 'var_dump' : /^array\s*\(/.test(text) ? 'var_export' : undefined;
  if (dump) throw new InputError(`this is PHP's ${dump} output, which does not keep the values exactly: pass json_encode($params) instead`);
  throw new InputError('cannot tell the input format: expected name=value pairs, JSON, params={...}, a query string or a URL');
}
