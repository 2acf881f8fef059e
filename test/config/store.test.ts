// The config folder is made (level by level) when something is written there; another iotpay making it at the same moment is not an error.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigStore } from '../../src/config/store.js';
import { tempDir } from '../helpers/cli.js';

const root = tempDir('iotpay-store-');
afterEach(() => vi.restoreAllMocks());
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('ConfigStore: making the folder', () => {
  it('a level made by another process between the check and the mkdir is taken as made', async () => {
    const folder = path.join(root, 'raced', 'cfg');
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    // As if another iotpay made `cfg` just after this one found it missing.
    const exists = fs.existsSync;
    vi.spyOn(fs, 'existsSync').mockImplementation((p) => (p === folder ? false : exists(p)));
    const store = await ConfigStore.open(folder, () => {});
    expect(() => store.ensureFolder()).not.toThrow();
    expect(store.dir).toBe(folder);
  });

  it('a file where the folder should be is still exit 2 naming it', async () => {
    const blocked = path.join(root, 'blocked');
    fs.writeFileSync(blocked, '');
    // Opening only reads (nothing is configured there); making the folder is what fails.
    const under = await ConfigStore.open(path.join(blocked, 'cfg'), () => {});
    expect(under.profileNames()).toEqual([]);
    expect(() => under.ensureFolder()).toThrow(/cannot create the config folder .*: a part of the path is a file, not a folder/);
    const exists = fs.existsSync;
    // The file itself in the way, seen as missing at the check: EEXIST, but not a folder.
    vi.spyOn(fs, 'existsSync').mockImplementation((p) => (p === blocked ? false : exists(p)));
    const store = await ConfigStore.open(blocked, () => {});
    expect(() => store.ensureFolder()).toThrow(/cannot create the config folder .*something that is not a folder is in the way/);
  });
});
