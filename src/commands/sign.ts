// `iotpay sign`: the 32-character sign of a field set, and with --explain the canonical string behind it.
import type { Context } from '../context.js';
import { canonicalString, isAbsent, signedFieldNames, UnsignableFieldError, type Fields } from '../core/canonical.js';
import { differingOrderings } from '../core/diagnose.js';
import { maskKey } from '../core/mask.js';
import { printable } from '../core/printable.js';
import { signCanonical } from '../core/sign.js';
import { requireSetting } from '../credentials.js';
import { UsageError } from '../errors.js';
import { readFields, type FieldSourceOptions } from '../field-source.js';
import { count } from '../render/words.js';

export interface SignOptions extends FieldSourceOptions {
  explain: boolean;
}

/** The canonical string of fields under a key, or exit 2 naming a field with no text form. */
export function canonicalOrExit(fields: Fields): string {
  try {
    return canonicalString(fields);
  } catch (err) {
    if (err instanceof UnsignableFieldError) {
      throw new UsageError(
        `cannot sign: ${err.message}`,
        err.field === 'extra' ? 'extra is signed as a JSON string: "extra":"{\\"productId\\":\\"1\\"}"' : undefined,
      );
    }
    throw err;
  }
}

export function warnFieldNamedKey(ctx: Context, fields: Fields): void {
  if (Object.prototype.hasOwnProperty.call(fields, 'key')) {
    ctx.warn('a field named "key" is signed as an ordinary field; the merchant key comes from --key, IOTPAY_KEY or the profile');
  }
}

export async function runSign(opts: SignOptions, ctx: Context): Promise<void> {
  const { fields } = await readFields(ctx, opts);
  warnFieldNamedKey(ctx, fields);
  const canonical = canonicalOrExit(fields);
  if (canonical === '') {
    // A sign of nothing but the key is never what was meant.
    throw new UsageError('nothing to sign: every field is empty or is the "sign" field, and neither is ever signed', 'give the fields with their values, e.g. iotpay sign mchId=10000701 amount=100');
  }
  const key = await requireSetting(ctx, 'key', 'to sign');
  const signature = signCanonical(canonical, key);
  const maskedCanonical = `${canonical}key=${maskKey(key)}`;
  const orderings = opts.explain
    ? differingOrderings(fields).map((o) => ({ ...o, sign: signCanonical(o.canonical, key) }))
    : [];

  if (ctx.json) {
    ctx.printJson({
      sign: signature,
      canonical: maskedCanonical,
      ...(opts.explain
        ? {
            signedFields: signedFieldNames(fields),
            orderings: orderings.map((o) => ({ name: o.name, usedBy: o.usedBy, canonical: `${o.canonical}key=${maskKey(key)}`, sign: o.sign })),
          }
        : {}),
    });
    return;
  }
  if (!opts.explain) {
    ctx.out(signature);
    return;
  }
  const c = ctx.color;
  const signed = signedFieldNames(fields);
  const skipped = Object.keys(fields).filter((n) => n !== 'sign' && isAbsent(fields[n]));
  // Shown with control characters escaped (the input may be a notify copied from the network); --json has the exact text.
  const shown = printable(canonical);
  ctx.out(`${c.bold('canonical')}  ${shown}${c.dim(`key=${maskKey(key)}`)}`);
  ctx.out(`${c.bold('sign')}       ${c.green(signature)}`);
  ctx.out(`${c.bold('signed')}     ${count(signed.length, 'field')}: ${printable(signed.join(', '))}`);
  if (skipped.length > 0) ctx.out(`${c.bold('skipped')}    ${printable(skipped.join(', '))} ${c.dim('(empty or null: never signed)')}`);
  if (Object.prototype.hasOwnProperty.call(fields, 'sign')) ctx.out(c.dim('the input\'s own "sign" field is never signed'));
  // Beyond ASCII, the bytes hashed depend on the encoding: the classic Java slip is a default charset.
  const beyondAscii = [...canonical].filter((ch) => ch.charCodeAt(0) > 0x7f).length;
  if (beyondAscii > 0) {
    ctx.out(
      `${c.bold('bytes')}      hashed as UTF-8 (${count(beyondAscii, 'character')} beyond ASCII): ` +
        c.dim('a signer that hashes another encoding (Java\'s getBytes() with a GBK or Windows-1252 default) gets another sign'),
    );
  }
  for (const o of orderings) {
    ctx.out('');
    ctx.out(
      c.yellow(`${o.name} ordering differs from the gateway's`) +
        ` (${o.usedBy}); a client that sorts this way gets another sign and "sign fail":`,
    );
    ctx.out(`  ${o.name.padEnd(9)}${printable(o.canonical)}${c.dim(`key=${maskKey(key)}`)}  ${c.red(o.sign)}`);
    ctx.out(`  ${'gateway'.padEnd(9)}${shown}${c.dim(`key=${maskKey(key)}`)}  ${c.green(signature)}`);
  }
}
