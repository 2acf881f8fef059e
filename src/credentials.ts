// Resolving credentials for a command: the value, masked registration of the key, and --verbose provenance.
import type { Resolved } from './config/resolve.js';
import type { SettingKey } from './config/settings.js';
import type { Context } from './context.js';
import { maskKey } from './core/mask.js';

/** A required setting; the key is registered as a secret; --verbose says where it came from. */
export async function requireSetting(ctx: Context, key: SettingKey, purpose: string): Promise<string> {
  const found = await ctx.settings.require(key, purpose);
  report(ctx, key, found);
  return found.value;
}

/** An optional setting (profile default or built-in default), reported like a required one. */
export async function optionalSetting(ctx: Context, key: SettingKey): Promise<string | undefined> {
  const found = await ctx.settings.resolve(key);
  if (found) report(ctx, key, found);
  return found?.value;
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
}
