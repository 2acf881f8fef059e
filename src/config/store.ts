// The config file (conf): profiles of settings, kept 0600 in a 0700 folder.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { SettingKey } from './settings.js';

export type Profile = Partial<Record<SettingKey, string>>;

interface StoreShape {
  currentProfile?: string;
  profiles?: Record<string, Profile>;
}

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

type ConfInstance = {
  path: string;
  store: Record<string, unknown>;
};

function unreadable(file: string, err: unknown): UsageError {
  const why = err instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(err as Error).message})`;
  return new UsageError(`config file ${file} ${why}`, 'fix it by hand or move it away; iotpay never resets it silently');
}

export class ConfigStore {
  private constructor(
    private readonly conf: ConfInstance,
    readonly dir: string,
  ) {}

  /**
   * Opens the store in `dir` (IOTPAY_CONFIG_DIR) or the platform's config folder
   * for `iotpay`, creating the folder 0700. A corrupt file is an error naming it,
   * never a silent reset.
   */
  static async open(dir: string | undefined, warn: (line: string) => void): Promise<ConfigStore> {
    if (dir) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { default: Conf } = await import('conf');
    let conf: ConfInstance;
    try {
      conf = new Conf<Record<string, unknown>>({
        projectName: 'iotpay',
        projectSuffix: '',
        ...(dir ? { cwd: dir } : {}),
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      }) as unknown as ConfInstance;
    } catch (err) {
      throw unreadable(dir ? path.join(dir, 'config.json') : 'config.json', err);
    }
    const folder = path.dirname(conf.path);
    // A folder we just made (no file yet) is ours to close; an existing one only gets a warning.
    if (!fs.existsSync(conf.path)) fs.chmodSync(folder, 0o700);
    const store = new ConfigStore(conf, folder);
    store.read();
    store.checkPermissions(warn);
    return store;
  }

  get path(): string {
    return this.conf.path;
  }

  private read(): StoreShape {
    let data: Record<string, unknown>;
    try {
      data = this.conf.store;
    } catch (err) {
      throw unreadable(this.path, err);
    }
    const profiles = data.profiles;
    if (profiles !== undefined && (profiles === null || typeof profiles !== 'object' || Array.isArray(profiles))) {
      throw new UsageError(`config file ${this.path} has a malformed "profiles" entry`, 'fix it by hand or move it away');
    }
    return data as StoreShape;
  }

  private write(data: StoreShape): void {
    this.conf.store = data as Record<string, unknown>;
    fs.chmodSync(this.path, 0o600);
  }

  private checkPermissions(warn: (line: string) => void): void {
    if (process.platform === 'win32') return;
    const dirMode = fs.statSync(this.dir).mode & 0o777;
    if (dirMode & 0o077) {
      warn(`config folder ${this.dir} is open to others (mode ${dirMode.toString(8)}): run chmod 700 '${this.dir}'`);
    }
    if (fs.existsSync(this.path)) {
      const fileMode = fs.statSync(this.path).mode & 0o777;
      if (fileMode & 0o077) {
        warn(`config file ${this.path} is readable by others (mode ${fileMode.toString(8)}): run chmod 600 '${this.path}'`);
      }
    }
  }

  get currentProfile(): string | undefined {
    const current = this.read().currentProfile;
    return typeof current === 'string' && current !== '' ? current : undefined;
  }

  profileNames(): string[] {
    return Object.keys(this.read().profiles ?? {}).sort();
  }

  profile(name: string): Profile {
    const profile = this.read().profiles?.[name];
    return profile && typeof profile === 'object' ? { ...profile } : {};
  }

  setValue(profileName: string, key: SettingKey, value: string): void {
    const data = this.read();
    const profiles = { ...(data.profiles ?? {}) };
    profiles[profileName] = { ...(profiles[profileName] ?? {}), [key]: value };
    this.write({ ...data, profiles });
  }

  /** Returns false when the setting was not set. */
  unsetValue(profileName: string, key: SettingKey): boolean {
    const data = this.read();
    const profile = { ...(data.profiles?.[profileName] ?? {}) };
    if (!(key in profile)) return false;
    delete profile[key];
    this.write({ ...data, profiles: { ...(data.profiles ?? {}), [profileName]: profile } });
    return true;
  }

  useProfile(name: string): void {
    const data = this.read();
    const profiles = { ...(data.profiles ?? {}) };
    profiles[name] ??= {};
    this.write({ ...data, currentProfile: name, profiles });
  }
}
