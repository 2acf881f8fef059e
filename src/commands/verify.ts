// `iotpay verify`: checks the sign a field set carries, and names the likely cause of a mismatch.
import type { Context } from '../context.js';
import { LOWER_CASE_TOO, mismatchCauses } from '../core/diagnose.js';
import { maskKey } from '../core/mask.js';
import { printable } from '../core/printable.js';
import { verify } from '../core/sign.js';
import { otherProfileKeys, requireSetting } from '../credentials.js';
import { SignatureError, UsageError } from '../errors.js';
import { readFields, type FieldSourceOptions } from '../field-source.js';
import { count } from '../render/words.js';
import { warnFieldNamedKey } from './sign.js';

export type VerifyOptions = FieldSourceOptions;

export async function runVerify(opts: VerifyOptions, ctx: Context): Promise<void> {
  const { fields } = await readFields(ctx, opts);
  warnFieldNamedKey(ctx, fields);
  const key = await requireSetting(ctx, 'key', 'to verify');
  const result = verify(fields, key);
  const causes = result.status === 'mismatch' ? mismatchCauses(fields, key, result.received!, await otherProfileKeys(ctx, key, 'verify')) : [];
  const canonical = result.canonical === undefined ? undefined : `${result.canonical}key=${maskKey(key)}`;

  if (result.status === 'absent') {
    throw new UsageError('the input has no "sign" field to verify', 'to compute a sign, use: iotpay sign');
  }
  if (ctx.json) {
    ctx.printJson({
      valid: result.status === 'valid' ? true : result.status === 'mismatch' ? false : null,
      status: result.status,
      expected: result.expected ?? null,
      received: result.received ?? null,
      canonical: canonical ?? null,
      signedFields: result.signedFields,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.withoutNested ? { withoutNested: result.withoutNested } : {}),
      ...(causes.length > 0 ? { causes } : {}),
    });
  } else {
    const c = ctx.color;
    if (result.status === 'valid') {
      ctx.out(`${c.green('✓ valid')}  sign ${result.received} matches ${count(result.signedFields.length, 'signed field')}`);
    } else if (result.status === 'mismatch') {
      ctx.out(c.red('✗ sign mismatch'));
      ctx.out(`  expected  ${result.expected}`);
      // Quoted when it holds more than letters and digits, so a space or line break shows. The input
      // is often a notify from the network: its control characters are shown escaped (printable).
      const received = result.received!;
      ctx.out(`  received  ${/^[0-9A-Za-z]*$/.test(received) ? received : printable(JSON.stringify(received))}`);
      ctx.out(`  signed    ${printable(result.signedFields.join(', '))}`);
      ctx.out(`  canonical ${printable(canonical!)}`);
      for (const cause of causes) ctx.out(`  ${c.yellow('likely cause:')} ${printable(cause)}`);
      if (causes.length === 0) {
        ctx.out(`  ${c.dim('no single cause found: check the merchant key and that every field is signed exactly as sent')}`);
      }
    } else {
      ctx.out(`${c.yellow('? unverifiable')}  ${printable(result.reason ?? '')}`);
      const flat = result.withoutNested;
      if (flat) {
        const left = flat.nestedFields.join(', ');
        ctx.out(
          flat.matches
            ? `  leaving out ${left}, the sign matches the other fields: the signer left the nested values out; they are not covered by the sign`
            : `  leaving out ${left}, the sign does not match the other fields either`,
        );
      }
    }
  }
  if (result.status === 'mismatch') {
    // One cause found is the line to act on (with the sign's case, when that is wrong too); otherwise the two
    // things a mismatch can mean.
    const explanations = causes.filter((cause) => cause !== LOWER_CASE_TOO);
    const line = explanations.length === 1 ? explanations[0] : 'the fields were changed after signing or signed with another key';
    throw new SignatureError(`sign mismatch: ${line}${explanations.length === 1 && causes.includes(LOWER_CASE_TOO) ? `; ${LOWER_CASE_TOO}` : ''}`);
  }
  if (result.status === 'unverifiable') {
    throw new UsageError(`cannot verify: ${result.reason}; neither a pass nor a forgery is claimed`);
  }
}
