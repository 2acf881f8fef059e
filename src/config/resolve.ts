// Where each setting comes from: flag > environment variable > selected profile > built-in default.
import { MissingSettingError, UsageError } from '../errors.js';
import { settingSpec, type SettingKey } from './settings.js';
import type { ConfigStore } from './store.js';

export type Source = 'flag' | 'env' | 'profile' | 'default';

export interface Resolved {
  value: string;
  source: Source;
  /** Human description of the source: `--key`, `IOTPAY_KEY`, `profile "live"`, `default`. */
  origin: string;
  /** The profile the value came from, when it came from one. */
  profile?: string;
}

export type FlagValues = Partial<Record<SettingKey, string>>;

/** An empty environment variable counts as unset. */
function envValue(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export class Settings {
  private store?: Promise<ConfigStore>;

  constructor(
    private readonly flags: FlagValues,
    private readonly env: NodeJS.ProcessEnv,
    private readonly openStore: () => Promise<ConfigStore>,
    private readonly profileFlag?: string,
    /**
     * Set for the sandbox (`--sandbox`): the given values are said to come from it, and besides them only built-in
     * defaults count (no environment, no profile).
     */
    private readonly onlyGivenBy?: string,
  ) {}

  /** The config store, opened once and only when a value must come from it. */
  configStore(): Promise<ConfigStore> {
    this.store ??= this.openStore();
    return this.store;
  }

  /** The selected profile: --profile > IOTPAY_PROFILE > the store's current profile > "default". */
  async profile(): Promise<{ name: string; origin: string; explicit: boolean }> {
    if (this.profileFlag) return { name: this.profileFlag, origin: '--profile', explicit: true };
    const fromEnv = envValue(this.env, 'IOTPAY_PROFILE');
    if (fromEnv) return { name: fromEnv, origin: 'IOTPAY_PROFILE', explicit: true };
    const current = (await this.configStore()).currentProfile;
    return current ? { name: current, origin: 'config use', explicit: false } : { name: 'default', origin: 'default', explicit: false };
  }

  async resolve(key: SettingKey): Promise<Resolved | undefined> {
    const spec = settingSpec(key);
    const flag = this.flags[key];
    if (flag !== undefined && (spec.flag || this.onlyGivenBy)) return { value: flag, source: 'flag', origin: this.onlyGivenBy ?? spec.flag! };
    if (this.onlyGivenBy) return spec.defaultValue === undefined ? undefined : { value: spec.defaultValue, source: 'default', origin: 'default' };
    const fromEnv = envValue(this.env, spec.env);
    if (fromEnv !== undefined) return { value: fromEnv, source: 'env', origin: spec.env! };
    const profile = await this.profile();
    const store = await this.configStore();
    if (profile.explicit && !store.profileNames().includes(profile.name)) {
      throw new UsageError(
        `profile "${profile.name}" (from ${profile.origin}) does not exist`,
        `create it with: iotpay config set --profile ${profile.name} mch-id <id>`,
      );
    }
    const stored = storedText(store.profile(profile.name)[key], () => `${spec.name} in profile "${profile.name}" of ${store.path}`, spec.name);
    if (stored !== undefined && stored !== '') {
      return { value: stored, source: 'profile', origin: `profile "${profile.name}"`, profile: profile.name };
    }
    if (spec.defaultValue !== undefined) return { value: spec.defaultValue, source: 'default', origin: 'default' };
    return undefined;
  }

  /** The value, or exit 2 naming the flag, the env var and the config command that would set it. */
  async require(key: SettingKey, purpose: string): Promise<Resolved> {
    const found = await this.resolve(key);
    if (found) return found;
    throw missingSetting(key, purpose);
  }
}

/**
 * A value from the config file as text. The CLI writes strings; a hand-edited file may hold a number
 * (`"mchId": 10000701`, taken as its digits) or null (not set). Anything else (a list, an object, a
 * fraction) is exit 2 naming it, never signed with or sent.
 */
function storedText(value: unknown, where: () => string, name: string): string | undefined {
  if (value === undefined || value === null || typeof value === 'string') return value ?? undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  const what = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`;
  throw new UsageError(`${where()} is ${what}, not a text value`, `set it again with: iotpay config set ${name} <value>`);
}

/** Exit 2 naming a missing setting and every way to set it; `more` is added to the hint. */
export function missingSetting(key: SettingKey, purpose: string, more?: string): MissingSettingError {
  const spec = settingSpec(key);
  const ways = [spec.flag, spec.env].filter((w): w is string => Boolean(w));
  return new MissingSettingError(`${spec.name} is required ${purpose}`, `set it with ${[...ways, `or \`iotpay config set ${spec.name}\``].join(', ')}${more ? `; ${more}` : ''}`);
}
