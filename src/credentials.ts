// Resolving credentials for a command: the value, masked registration of the key, and --verbose provenance.
import { missingSetting, type Resolved } from './config/resolve.js';
import { inQuotes, isLoopbackHost, QUOTES_WHY, SANDBOX, settingSpec, type SettingKey } from './config/settings.js';
import type { Context } from './context.js';
import { maskKey } from './core/mask.js';
import { GatewayError } from './errors.js';

/** A required setting; the key is registered as a secret; --verbose says where it came from. */
export async function requireSetting(ctx: Context, key: SettingKey, purpose: string): Promise<string> {
  const found = await ctx.settings.require(key, purpose);
  report(ctx, key, found);
  return found.value;
}

type Credential = keyof typeof SANDBOX;

/**
 * The credentials a command needs, resolved together and reported like requireSetting's. A missing one is
 * exit 2 naming it; when the command talks to a gateway on this machine (most likely `iotpay mock`, which uses
 * its sandbox values for whatever is not configured), the hint gives those values for every one missing, so
 * one run says all that is needed. `local` says whether the other end is on this machine; by default, whether
 * the base URL is loopback. `elsewhere` is added to the hint when it is not (create's `--sandbox`).
 */
export async function requireCredentials<const N extends readonly (readonly [Credential, string])[]>(
  ctx: Context,
  needed: N,
  { local, elsewhere }: { local?: boolean; elsewhere?: string } = {},
): Promise<{ -readonly [I in keyof N]: string }> {
  const found: Resolved[] = [];
  const missing: (readonly [Credential, string])[] = [];
  for (const want of needed) {
    const f = await ctx.settings.resolve(want[0]);
    if (f) found.push(f);
    else missing.push(want);
  }
  const [first] = missing;
  const isLocal = local ?? (await onLoopback(ctx));
  if (first) throw missingSetting(first[0], first[1], isLocal ? sandboxHint(missing.map(([key]) => key)) : elsewhere);
  needed.forEach(([key], i) => report(ctx, key, found[i]!));
  // The sandbox pair exported for the mock and left set: the real gateway would answer "sign failed".
  const keyAt = needed.findIndex(([key]) => key === 'key');
  if (!isLocal && keyAt >= 0 && found[keyAt]!.value === SANDBOX.key) {
    ctx.warn(`the key (from ${found[keyAt]!.origin}) is iotpay mock's sandbox key, which only a mock accepts, and the base URL is not on this machine`);
  }
  return found.map((f) => f.value) as { -readonly [I in keyof N]: string };
}

/** The values `iotpay mock` uses for credentials that are not configured, as exports. */
export function sandboxHint(keys: readonly Credential[]): string {
  return `a local iotpay mock uses sandbox values where none are configured: export ${keys.map((key) => `${settingSpec(key).env}=${SANDBOX[key]}`).join(' ')}`;
}

/** Whether the base URL setting points at this machine. */
export async function onLoopback(ctx: Context): Promise<boolean> {
  const base = (await ctx.settings.resolve('baseUrl'))?.value;
  return base !== undefined && URL.canParse(base) && isLoopbackHost(new URL(base).hostname);
}

/** An optional setting (profile default or built-in default), reported like a required one. */
export async function optionalSetting(ctx: Context, key: SettingKey): Promise<string | undefined> {
  const found = await ctx.settings.resolve(key);
  if (found) report(ctx, key, found);
  return found?.value;
}

/**
 * The keys configured profiles hold besides `key` (the one this run uses), each with what to say of a sign made
 * with it: the signer has another of the merchant's accounts (test and live: `<command> with --profile test`, the
 * command said as `verify` or `run listen`), or `IOTPAY_KEY` or `--key` overrides the selected profile's right key.
 * Only profiles are named, never keys; each key is registered as a secret. A config file that cannot be read
 * names none: a diagnosis never fails a command.
 */
export async function otherProfileKeys(ctx: Context, key: string, command: string): Promise<Map<string, string>> {
  const causes = new Map<string, string>();
  try {
    const inUse = await ctx.settings.resolve('key');
    const store = await ctx.settings.configStore();
    const override = await keyOverride(ctx);
    for (const name of store.profileNames()) {
      const other = store.profile(name).key;
      if (typeof other !== 'string' || other === '' || other === key || causes.has(other)) continue;
      ctx.addSecret(other);
      if (name === override?.profile) {
        causes.set(other, `the sign was made with the key in profile "${name}", which ${override.by} overrides for this run: ${override.undo} to use it`);
      } else {
        const now = inUse ? `this run's key (from ${inUse.origin})` : 'the sandbox key (no key is configured for this run)';
        // The profile's key is used only where no variable or flag overrides it.
        const alone = inUse?.source === 'env' ? ` and ${inUse.origin} unset` : inUse?.source === 'flag' ? ` instead of ${inUse.origin}` : '';
        causes.set(other, `the sign was made with the key of profile "${name}", not ${now}: ${command} with --profile ${name}${alone} if that is the account, else the signer has the wrong account's key`);
      }
    }
  } catch {
    // no profiles to name
  }
  return causes;
}

/**
 * When the key in use comes from `IOTPAY_KEY` or `--key` and the selected profile holds another: what overrides it
 * (`IOTPAY_KEY`, `--key`), the profile, and how to use the profile's key instead. Said where the gateway refuses a
 * sign, as the override may be the stale one.
 */
export async function keyOverride(ctx: Context): Promise<{ by: string; profile: string; undo: string } | undefined> {
  try {
    const inUse = await ctx.settings.resolve('key');
    if (!inUse || inUse.source === 'profile' || inUse.source === 'default') return undefined;
    const profile = (await ctx.settings.profile()).name;
    const held = (await ctx.settings.configStore()).profile(profile).key;
    if (typeof held !== 'string' || held === '' || held === inUse.value) return undefined;
    ctx.addSecret(held);
    return { by: inUse.origin, profile, undo: inUse.source === 'flag' ? `leave out ${inUse.origin}` : `unset ${inUse.origin}` };
  } catch {
    return undefined;
  }
}

/** What a refused key's advice adds when IOTPAY_KEY or --key overrides another key in the selected profile. */
export function overrideNote(override: Awaited<ReturnType<typeof keyOverride>>): string {
  return override ? `, which overrides the other key profile "${override.profile}" holds (${override.undo} to try that one)` : '';
}

/**
 * A gateway's refusal of the request's sign, its hint naming where the key was read from when IOTPAY_KEY or --key
 * overrides another key the selected profile holds: the override may be the stale key. Any other error as it is.
 */
export async function namingKeyOverride(ctx: Context, err: unknown): Promise<unknown> {
  if (!(err instanceof GatewayError) || !err.refusedSign) return err;
  const override = await keyOverride(ctx);
  if (!override) return err;
  return new GatewayError(err.message, `${err.hint}; the key is read from ${override.by}${overrideNote(override)}`, true);
}

/** The --verbose lines each command has printed: a setting looked up twice is reported once. */
const reported = new WeakMap<Context, Set<string>>();

function report(ctx: Context, key: SettingKey, found: Resolved): void {
  if (key === 'key') ctx.addSecret(found.value);
  const shown = key === 'key' ? maskKey(found.value) : found.value;
  const line = `${key} = ${shown} (from ${found.origin})`;
  const said = reported.get(ctx) ?? new Set<string>();
  reported.set(ctx, said);
  if (said.has(line)) return;
  said.add(line);
  ctx.debug(line);
  if (key === 'key' || key === 'mchId' || key === 'jobNo') warnIfPadded(ctx, key, found);
}

/**
 * A credential with white space or quotes around it (a secret pasted with its line break, quotes kept from a
 * .env file) is sent as it is, and the gateway then says "sign failed" or "unknown merchant": said up front.
 */
function warnIfPadded(ctx: Context, key: SettingKey, found: Resolved): void {
  const what = key === 'key' ? `the key (from ${found.origin})` : `${settingSpec(key).name} ${JSON.stringify(found.value)} (from ${found.origin})`;
  const use = key === 'key' ? 'signed' : 'sent';
  if (found.value !== found.value.trim()) ctx.warn(`${what} has white space around it, a line break perhaps: the value is ${use} as it is; remove the white space where it is set`);
  else if (inQuotes(found.value)) ctx.warn(`${what} is in quotes, which are part of the value: it is ${use} with them; remove them where it is set (${QUOTES_WHY})`);
}
