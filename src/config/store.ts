// The config file: profiles of settings, kept 0600 in a 0700 folder; written through conf.
import fs from 'node:fs';
import path from 'node:path';
import { fileProblem, UsageError } from '../errors.js';
import type { SettingKey } from './settings.js';
import { importEsm } from '../esm.js';

export type Profile = Partial<Record<SettingKey, string>>;

interface StoreShape {
  currentProfile?: string;
  profiles?: Record<string, Profile>;
}

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A write takes milliseconds: a lock this old was left by an iotpay that died holding it. */
const STALE_LOCK_MS = 10_000;
/** How long a write waits for another iotpay's before giving up. */
const LOCK_WAIT_MS = 5_000;

/** How long ago the file was last changed; 0 when it is gone (its owner just let go). */
function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

type ConfInstance = { store: Record<string, unknown> };

function unreadable(file: string, err: unknown): UsageError {
  const why = err instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(err as Error).message})`;
  return new UsageError(`config file ${file} ${why}`, 'fix it by hand or move it away; iotpay never resets it silently');
}

/**
 * IOTPAY_CONFIG_DIR as an absolute path. A leading `~` is the home folder: a value from a .env file or a CI
 * setting reaches us unexpanded, and would otherwise make a folder named `~` wherever the command ran.
 */
function absoluteFolder(dir: string): string {
  const home = dir === '~' || dir.startsWith('~/') ? path.join(process.getBuiltinModule('node:os').homedir(), dir.slice(1)) : dir;
  return path.resolve(home);
}

function isFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Creates the folder and any missing parents 0700, one level at a time: Node's recursive mkdir
 * spins forever at 100% CPU under /proc (procfs answers ENOENT for a child of a folder that exists).
 */
function makeFolder(folder: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(folder); !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      // Another iotpay started at the same moment (parallel CI steps) may have made it first.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && isFolder(dir)) continue;
      throw new UsageError(`cannot create the config folder ${folder}: ${fileProblem(err, true)}`, 'set IOTPAY_CONFIG_DIR to a folder you can write');
    }
  }
}

/**
 * Reads are a plain JSON read of the file; writes go through conf (atomic write,
 * file mode). conf loads a JSON-schema validator on import, so commands that only
 * read settings (sign, create --dry-run) never load it.
 */
export class ConfigStore {
  private conf?: ConfInstance;
  /** The file as last read or written: a command resolves a dozen settings from one read. */
  private cached?: StoreShape;

  /** The file's mode when it was found open to others; a write makes it 0600 again and says so. */
  private looseFileMode?: number;

  private constructor(
    readonly dir: string,
    readonly path: string,
    private readonly warn: (line: string) => void,
  ) {}

  /**
   * Opens the store in `dir` (IOTPAY_CONFIG_DIR) or the platform's config folder
   * for `iotpay` (the one conf uses). A corrupt file is an error naming it, never a
   * silent reset. The folder is made (0700) only to write in it: a command that gets
   * everything from flags and the environment runs where HOME cannot be written.
   */
  static async open(dir: string | undefined, warn: (line: string) => void): Promise<ConfigStore> {
    let folder = dir === undefined ? undefined : absoluteFolder(dir);
    if (!folder) {
      const { default: envPaths } = await importEsm<typeof import('env-paths')>('env-paths');
      folder = envPaths('iotpay', { suffix: '' }).config;
    }
    const store = new ConfigStore(folder, path.join(folder, 'config.json'), warn);
    store.read();
    store.checkPermissions();
    return store;
  }

  private read(): StoreShape {
    this.cached ??= this.readFile();
    return this.cached;
  }

  private readFile(): StoreShape {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(this.path, 'utf8'));
    } catch (err) {
      // No file, or no folder where one should be: nothing is configured (a write will say why it cannot).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return {};
      throw unreadable(this.path, err);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new UsageError(`config file ${this.path} is not a JSON object`, 'fix it by hand or move it away');
    }
    const profiles = (data as StoreShape).profiles;
    if (profiles !== undefined && (profiles === null || typeof profiles !== 'object' || Array.isArray(profiles))) {
      throw new UsageError(`config file ${this.path} has a malformed "profiles" entry`, 'fix it by hand or move it away');
    }
    return data as StoreShape;
  }

  /** Makes the config folder (and missing parents) 0700, or exit 2 saying why it cannot be made. */
  ensureFolder(): void {
    makeFolder(this.dir);
  }

  private async write(data: StoreShape): Promise<void> {
    this.ensureFolder();
    if (!this.conf) {
      const { default: Conf } = await importEsm<typeof import('conf')>('conf');
      this.conf = new Conf<Record<string, unknown>>({
        projectName: 'iotpay',
        cwd: this.dir,
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      }) as unknown as ConfInstance;
    }
    this.conf.store = data as Record<string, unknown>;
    this.cached = data;
    fs.chmodSync(this.path, 0o600);
    // The chmod advice given when the file was opened is done now: say so, and what it means for the key.
    if (this.looseFileMode !== undefined) {
      this.warn(`config file ${this.path} is 0600 again (it was ${this.looseFileMode.toString(8)}): whoever could read it may have read the key`);
      this.looseFileMode = undefined;
    }
  }

  private checkPermissions(): void {
    if (process.platform === 'win32' || !isFolder(this.dir)) return;
    const dirMode = fs.statSync(this.dir).mode & 0o777;
    if (dirMode & 0o077) {
      this.warn(`config folder ${this.dir} is open to others (mode ${dirMode.toString(8)}): run chmod 700 '${this.dir}'`);
    }
    if (fs.existsSync(this.path)) {
      const fileMode = fs.statSync(this.path).mode & 0o777;
      if (fileMode & 0o077) {
        this.looseFileMode = fileMode;
        this.warn(`config file ${this.path} is readable by others (mode ${fileMode.toString(8)}): run chmod 600 '${this.path}'`);
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

  async setValue(profileName: string, key: SettingKey, value: string): Promise<void> {
    await this.change((data) => {
      const profiles = { ...(data.profiles ?? {}) };
      profiles[profileName] = { ...(profiles[profileName] ?? {}), [key]: value };
      return { ...data, profiles };
    });
  }

  /** Returns false when the setting was not set. */
  async unsetValue(profileName: string, key: SettingKey): Promise<boolean> {
    return this.change((data) => {
      const profile = { ...(data.profiles?.[profileName] ?? {}) };
      if (!(key in profile)) return undefined;
      delete profile[key];
      return { ...data, profiles: { ...(data.profiles ?? {}), [profileName]: profile } };
    });
  }

  async useProfile(name: string): Promise<void> {
    await this.change((data) => {
      const profiles = { ...(data.profiles ?? {}) };
      profiles[name] ??= {};
      return { ...data, currentProfile: name, profiles };
    });
  }

  /**
   * Applies `edit` to the file as it is now, not as this command first read it (another iotpay may have
   * written since: a `config set` waiting at its prompt), under a lock so that two at once both land.
   * Returns false when `edit` changed nothing.
   */
  private async change(edit: (data: StoreShape) => StoreShape | undefined): Promise<boolean> {
    return this.locked(async () => {
      this.cached = undefined;
      const next = edit(this.read());
      if (next === undefined) return false;
      await this.write(next);
      return true;
    });
  }

  /** Runs `fn` holding config.json.lock: made with O_EXCL, waited for, taken over when its owner died. */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    this.ensureFolder();
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        fs.closeSync(fs.openSync(lock, 'wx', 0o600));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UsageError(`cannot write the config file ${this.path}: ${fileProblem(err, true)}`, 'set IOTPAY_CONFIG_DIR to a folder you can write');
        }
        if (ageMs(lock) > STALE_LOCK_MS) {
          fs.rmSync(lock, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new UsageError(`the config file ${this.path} is being changed by another iotpay (${lock} exists)`, `try again; if no iotpay is running, remove ${lock}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    // Also let go when the process ends mid-write (Ctrl-C exits at once): a lock left behind makes the next write wait.
    const release = () => fs.rmSync(lock, { force: true });
    process.once('exit', release);
    try {
      return await fn();
    } finally {
      process.removeListener('exit', release);
      release();
    }
  }
}
