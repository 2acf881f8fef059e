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

describe('ConfigStore: two writers', () => {
  it('a change made by another iotpay after this one opened the file is kept (config set waiting at a prompt)', async () => {
    const folder = path.join(root, 'two-writers');
    const prompting = await ConfigStore.open(folder, () => {});
    const other = await ConfigStore.open(folder, () => {});
    await other.setValue('default', 'mchId', '10000701');
    await other.useProfile('live');
    await prompting.setValue('default', 'jobNo', 'ops');
    const after = await ConfigStore.open(folder, () => {});
    expect(after.profile('default')).toEqual({ mchId: '10000701', jobNo: 'ops' });
    expect(after.currentProfile).toBe('live');
    expect(after.profileNames()).toEqual(['default', 'live']);
    expect(await prompting.unsetValue('default', 'mchId')).toBe(true);
    expect((await ConfigStore.open(folder, () => {})).profile('default')).toEqual({ jobNo: 'ops' });
  });

  it('waits for a lock another iotpay holds, and takes over one left by a process that died', async () => {
    const folder = path.join(root, 'locked');
    const store = await ConfigStore.open(folder, () => {});
    store.ensureFolder();
    const lock = `${store.path}.lock`;
    fs.writeFileSync(lock, '');
    const writing = store.setValue('default', 'mchId', '1');
    let done = false;
    void writing.then(() => (done = true));
    // An observation window, not a synchronisation: a write that did not wait would be done well within it.
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    fs.rmSync(lock);
    await writing;
    expect(fs.existsSync(lock)).toBe(false);
    // A lock older than any write takes: its owner died holding it.
    fs.writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    await store.setValue('default', 'jobNo', 'ops');
    expect((await ConfigStore.open(folder, () => {})).profile('default')).toEqual({ mchId: '1', jobNo: 'ops' });
    expect(fs.existsSync(lock)).toBe(false);
  });
});
