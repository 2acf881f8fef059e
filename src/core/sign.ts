// MD5 signing and constant-time verification of gateway field sets.
import type * as NodeCrypto from 'node:crypto';
import { keyedCanonical, signedEntries, UnsignableFieldError, withoutNestedValues, type Fields } from './canonical.js';

// node:crypto loads some twenty internal modules; fetch it on the first sign, not at start-up
// (`--help` never needs it). process.getBuiltinModule is synchronous (Node >= 20.16).
let crypto: typeof NodeCrypto | undefined;
function nodeCrypto(): typeof NodeCrypto {
  crypto ??= process.getBuiltinModule('node:crypto');
  return crypto;
}

/** Upper-case hex MD5 of `canonical + "key=" + key` over UTF-8. */
export function signCanonical(canonical: string, key: string): string {
  return md5Hex(canonical + 'key=' + key);
}

/** Upper-case hex MD5 of a text over UTF-8. */
export function md5Hex(text: string): string {
  const c = nodeCrypto() as typeof NodeCrypto & { hash?: (algorithm: string, data: string, encoding: 'hex') => string };
  // crypto.hash (Node >= 20.12) hashes in one call without a Hash object: about a third faster.
  return (c.hash ? c.hash('md5', text, 'hex') : c.createHash('md5').update(text, 'utf8').digest('hex')).toUpperCase();
}

/** The sign the gateway expects for these fields under this merchant key. */
export function sign(fields: Fields, key: string): string {
  return md5Hex(keyedCanonical(fields, key));
}

/** A copy of the fields with `sign` set; the field order of the input is kept. */
export function withSign<T extends Fields>(fields: T, key: string): T & { sign: string } {
  const copy: Record<string, unknown> = { ...fields };
  delete copy.sign;
  return { ...copy, sign: sign(fields, key) } as T & { sign: string };
}

/**
 * Constant-time comparison of two signs (any length, any case treated as different): every unit
 * of the expected sign is compared, so the time depends on its length, never on where they differ.
 * Plain arithmetic on the strings: two Buffers and timingSafeEqual cost more than the check itself.
 */
export function signsEqual(expected: string, received: string): boolean {
  let difference = expected.length ^ received.length;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ (received.charCodeAt(i) | 0);
  return difference === 0;
}

export type VerifyStatus = 'valid' | 'mismatch' | 'unverifiable' | 'absent';

export interface Verification {
  status: VerifyStatus;
  /** The sign these fields should carry; absent when unverifiable. */
  expected?: string;
  /** The `sign` field as received; absent when there was none. */
  received?: string;
  /** The canonical string without the `key=` part; absent when unverifiable. */
  canonical?: string;
  signedFields: string[];
  /** Why the fields could not be verified (unverifiable only). */
  reason?: string;
  /**
   * Unverifiable because of nested values: whether the sign matches the other fields with those
   * left out. A hint for finding the signer's rule, never a verdict: the nested values stay unchecked.
   */
  withoutNested?: { matches: boolean; nestedFields: string[] };
}

/** The sign checked over the flat fields only, when nested values made a message unverifiable. */
function checkWithoutNested(fields: Fields, key: string, received: string | undefined): Verification['withoutNested'] {
  const flat = withoutNestedValues(fields);
  if (!received || flat === fields) return undefined;
  const nestedFields = Object.keys(fields).filter((name) => !(name in flat));
  try {
    return { matches: signsEqual(sign(flat, key), received), nestedFields };
  } catch {
    return undefined; // unsignable for another reason too (a number with no text)
  }
}

/**
 * Checks the `sign` field of a received object. Unknown fields are signed too.
 * A nested object makes the result `unverifiable`: never a false pass or forgery.
 */
export function verify(fields: Fields, key: string): Verification {
  const raw = fields.sign;
  const received = typeof raw === 'string' ? raw : raw === undefined || raw === null ? undefined : String(raw);
  let entries: string[];
  try {
    entries = signedEntries(fields);
  } catch (err) {
    if (err instanceof UnsignableFieldError) {
      const withoutNested = checkWithoutNested(fields, key, received);
      return {
        status: 'unverifiable',
        ...(received === undefined ? {} : { received }),
        signedFields: [],
        reason: err.message,
        ...(withoutNested ? { withoutNested } : {}),
      };
    }
    throw err;
  }
  const canonical = entries.join('');
  const signedFields = entries.map((entry) => entry.slice(0, entry.indexOf('=')));
  const expected = signCanonical(canonical, key);
  if (received === undefined || received === '') {
    return { status: 'absent', expected, canonical, signedFields };
  }
  const status = signsEqual(expected, received) ? 'valid' : 'mismatch';
  return { status, expected, received, canonical, signedFields };
}
