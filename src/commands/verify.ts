// `iotpay verify`: checks the sign a field set carries, and names the likely cause of a mismatch.
import type { Context } from '../context.js';
import type { Fields } from '../core/canonical.js';
import { diagnoseMismatch, LOWER_CASE_TOO } from '../core/diagnose.js';
import { maskKey } from '../core/mask.js';
import { printable } from '../core/printable.js';
import { sign, verify } from '../core/sign.js';
import { requireSetting } from '../credentials.js';
import { SignatureError, UsageError } from '../errors.js';
import { readFields, type FieldSourceOptions } from '../field-source.js';
import { count } from '../render/words.js';
import { warnFieldNamedKey } from './sign.js';

export type VerifyOptions = FieldSourceOptions;

/** The likely causes of a mismatch: the key of another profile, else what the fields show. */
async function mismatchCauses(ctx: Context, fields: Fields, key: string, received: string): Promise<string[]> {
  const other = await profileKeyCause(ctx, fields, key, received);
  if (!other) return diagnoseMismatch(fields, key, received);
  return received === received.toUpperCase() ? [other] : [other, LOWER_CASE_TOO];
}

/**
 * When the sign was made with the key a configured profile holds and this run does not use, which one: the signer
 * has another of the merchant's accounts (test and live), or `IOTPAY_KEY` or `--key` overrides the selected
 * profile's right key. Only the profile is named, never its key. A config file that cannot be read has no profile
 * to name: the verdict stands without this.
 */
async function profileKeyCause(ctx: Context, fields: Fields, key: string, received: string): Promise<string | undefined> {
  const wanted = received.toUpperCase();
  let inUse;
  let store;
  let selected;
  try {
    inUse = await ctx.settings.resolve('key');
    store = await ctx.settings.configStore();
    selected = (await ctx.settings.profile()).name;
  } catch {
    return undefined;
  }
  for (const name of store.profileNames()) {
    const other = store.profile(name).key;
    if (typeof other !== 'string' || other === '' || other === key || sign(fields, other) !== wanted) continue;
    if (name === selected && inUse && inUse.source !== 'profile') {
      const drop = inUse.source === 'flag' ? `leave out ${inUse.origin}` : `unset ${inUse.origin}`;
      return `the sign was made with the key in profile "${name}", which ${inUse.origin} overrides for this run: ${drop} to use it`;
    }
    return `the sign was made with the key of profile "${name}", not this run's key (from ${inUse?.origin ?? 'elsewhere'}): verify with --profile ${name} if that is the account, else the signer has the wrong account's key`;
  }
  return undefined;
}

export async function runVerify(opts: VerifyOptions, ctx: Context): Promise<void> {
  const { fields } = await readFields(ctx, opts);
  warnFieldNamedKey(ctx, fields);
  const key = await requireSetting(ctx, 'key', 'to verify');
  const result = verify(fields, key);
  const causes = result.status === 'mismatch' ? await mismatchCauses(ctx, fields, key, result.received!) : [];
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
