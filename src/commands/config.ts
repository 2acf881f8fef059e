// `iotpay config`: set, get, unset, list, path, profiles and use over the profile store.
import type { Context } from '../context.js';
import { maskKey } from '../core/mask.js';
import { DEFAULT_BASE_URL, findSetting, inQuotes, SETTINGS, type SettingSpec } from '../config/settings.js';
import { PROFILE_NAME } from '../config/store.js';
import { UsageError } from '../errors.js';
import { readAllBounded } from '../io.js';
import { askChoice, askSecret, askText } from '../prompt.js';

export type ConfigAction = 'set' | 'get' | 'unset' | 'list' | 'path' | 'profiles' | 'use';

export interface ConfigOptions {
  action: ConfigAction;
  name?: string;
  value?: string;
}

function settingOrExit(name: string | undefined): SettingSpec {
  const spec = name === undefined ? undefined : findSetting(name);
  if (!spec) {
    throw new UsageError(
      `unknown setting "${name ?? ''}"`,
      `settings: ${SETTINGS.map((s) => s.name).join(', ')}`,
    );
  }
  return spec;
}

function shown(spec: SettingSpec, value: string): string {
  return spec.secret ? maskKey(value) : value;
}

/** One line from a pipe; a trailing newline (LF or CRLF) is not part of the value. */
async function readLine(ctx: Context): Promise<string> {
  const text = Buffer.from(await readAllBounded(ctx.streams.stdin, 'stdin', 64 * 1024)).toString('utf8');
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  return firstLine;
}

async function valueToSet(ctx: Context, spec: SettingSpec, given: string | undefined): Promise<string> {
  if (given !== undefined && given !== '-') {
    if (spec.secret) ctx.warn('a key typed on the command line stays in shell history and the process list: prefer `iotpay config set key` (prompt) or `-` (pipe)');
    return given;
  }
  if (given === undefined && !spec.secret) {
    // On a terminal a missing value is asked for, as everywhere; the same checks as for a value given.
    if (ctx.canPrompt) {
      return askText(ctx, `${spec.name} (${spec.description})`, { validate: (v) => (v === '' ? `${spec.name} cannot be empty` : (spec.check?.(v) ?? true)) });
    }
    throw new UsageError(`config set ${spec.name} needs a value`, `iotpay config set ${spec.name} <value>`);
  }
  if (given === undefined && ctx.canPrompt) {
    return askSecret(ctx, `Merchant key (input hidden)`, (v) => (v.length > 0 ? true : 'the key cannot be empty'));
  }
  if (ctx.streams.stdin.isTTY) {
    throw new UsageError(
      `no value for ${spec.name}: prompts are off (--no-input)`,
      `pipe it: printf '%s' "$KEY" | iotpay config set ${spec.name} -`,
    );
  }
  const line = await readLine(ctx);
  if (line === '') {
    throw new UsageError(`no value for ${spec.name}: stdin was empty`, `pipe it: printf '%s' "$KEY" | iotpay config set ${spec.name} -, or run on a terminal to be asked`);
  }
  return line;
}

export async function runConfig(opts: ConfigOptions, ctx: Context): Promise<void> {
  const store = await ctx.settings.configStore();
  const c = ctx.color;

  if (opts.action === 'path') {
    if (ctx.json) ctx.printJson({ path: store.path });
    else ctx.out(store.path);
    return;
  }
  if (opts.action === 'profiles') {
    const current = (await ctx.settings.profile()).name;
    const names = store.profileNames();
    if (!names.includes(current)) names.unshift(current);
    if (ctx.json) ctx.printJson({ current, profiles: names });
    else for (const name of names) ctx.out(name === current ? `${c.green('*')} ${name}` : `  ${name}`);
    return;
  }
  if (opts.action === 'use') {
    const known = ['default', ...store.profileNames().filter((n) => n !== 'default')];
    const current = (await ctx.settings.profile()).name;
    let name = opts.name;
    if (name === undefined) {
      if (!ctx.canPrompt) throw new UsageError(`config use needs a profile name (profiles: ${known.join(', ')})`, 'iotpay config use <profile>');
      name = await askChoice(ctx, 'Profile to use', known.map((n) => ({ value: n, name: n === current ? `${n}  (selected now)` : n })));
    }
    if (!PROFILE_NAME.test(name)) throw new UsageError(`"${name}" is not a valid profile name (letters, digits, . _ -)`);
    // A name with no profile is most often a typo: refused, as --profile refuses it ("default" always exists).
    const names = store.profileNames();
    if (name !== 'default' && !names.includes(name)) {
      throw new UsageError(
        `profile "${name}" does not exist (profiles: ${['default', ...names.filter((n) => n !== 'default')].join(', ')})`,
        `create it with: iotpay config set --profile ${name} mch-id <id>`,
      );
    }
    await store.useProfile(name);
    if (ctx.json) ctx.printJson({ current: name });
    else ctx.out(`${c.green('✓')} now using profile "${name}"`);
    if (ctx.env.IOTPAY_PROFILE) ctx.warn(`IOTPAY_PROFILE=${ctx.env.IOTPAY_PROFILE} is set and takes precedence over "config use"`);
    return;
  }

  const selected = await ctx.settings.profile();
  const profile = selected.name;
  if (!PROFILE_NAME.test(profile)) throw new UsageError(`"${profile}" (from ${selected.origin}) is not a valid profile name (letters, digits, . _ -)`);

  if (opts.action === 'list') {
    const rows = [];
    for (const spec of SETTINGS) {
      const found = await ctx.settings.resolve(spec.key);
      rows.push({ spec, value: found ? shown(spec, found.value) : undefined, origin: found?.origin });
    }
    if (ctx.json) {
      ctx.printJson({
        profile,
        path: store.path,
        settings: Object.fromEntries(
          rows.map((r) => [r.spec.name, r.value === undefined ? null : { value: r.value, source: r.origin }]),
        ),
      });
      return;
    }
    ctx.out(c.dim(`profile "${profile}" · ${store.path}`));
    const width = Math.max(...SETTINGS.map((s) => s.name.length));
    for (const r of rows) {
      const value = r.value === undefined ? c.dim('(not set)') : r.value;
      ctx.out(`${r.spec.name.padEnd(width)}  ${value}${r.origin && r.origin !== `profile "${profile}"` ? c.dim(`  (${r.origin})`) : ''}`);
    }
    return;
  }

  const spec = settingOrExit(opts.name);
  if (opts.action === 'get') {
    const found = await ctx.settings.resolve(spec.key);
    if (!found) {
      throw new UsageError(`${spec.name} is not set in profile "${profile}"`, `set it with: iotpay config set ${spec.name} <value>`);
    }
    if (ctx.json) ctx.printJson({ name: spec.name, value: shown(spec, found.value), source: found.origin });
    else ctx.out(shown(spec, found.value));
    ctx.debug(`${spec.name} from ${found.origin}`);
    return;
  }
  if (opts.action === 'unset') {
    const removed = await store.unsetValue(profile, spec.key);
    if (ctx.json) ctx.printJson({ profile, name: spec.name, removed });
    else ctx.out(removed ? `${c.green('✓')} unset ${spec.name} in profile "${profile}"` : `${spec.name} was not set in profile "${profile}"`);
    return;
  }

  // set
  const given = await valueToSet(ctx, spec, opts.value);
  if (spec.secret) ctx.addSecret(given);
  // An empty value would read as "not set" everywhere: say so, and how to remove a setting.
  if (given === '') throw new UsageError(`cannot set ${spec.name} to an empty value`, `to remove it: iotpay config unset ${spec.name}`);
  const problem = spec.check?.(given);
  if (problem) throw new UsageError(`cannot set ${spec.name}: ${problem}`);
  const value = spec.normalize ? spec.normalize(given) : given;
  // Most often a copy-and-paste slip: the gateway would get (and sign) the spaces too.
  if (value !== value.trim()) {
    ctx.warn(
      spec.secret
        ? 'the key has leading or trailing white space; it is stored as given and signed with it'
        : `${spec.name} ${JSON.stringify(value)} has leading or trailing white space; it is stored as given and sent with it`,
    );
  }
  if (inQuotes(value)) {
    ctx.warn(`${spec.secret ? 'the key' : `${spec.name} ${value}`} is in quotes, which are stored as part of the value; most likely they were copied from a .env file`);
  }
  // IOTPay's endpoints are under /v1: a bare host answers 404 to every request.
  if (spec.key === 'baseUrl' && new URL(value).pathname.replace(/\/+$/, '') === '') {
    ctx.warn(`base URL ${value} has no path, but the gateway's endpoints are under /v1 (as in ${DEFAULT_BASE_URL}): most likely you want ${value.replace(/\/+$/, '')}/v1`);
  }
  await store.setValue(profile, spec.key, value);
  if (ctx.json) ctx.printJson({ profile, name: spec.name, value: shown(spec, value), path: store.path });
  else ctx.out(`${c.green('✓')} ${spec.name} = ${shown(spec, value)} in profile "${profile}" (${store.path})`);
  if (spec.env && ctx.env[spec.env]) ctx.warn(`${spec.env} is set and takes precedence over the profile`);
}
