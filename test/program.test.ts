// argv → what gets built and which options a command receives, without running anything.
import { describe, expect, it } from 'vitest';
import { buildProgram, commandsToBuild } from '../src/program.js';
import { PassThrough } from 'node:stream';

describe('commandsToBuild', () => {
  it.each([
    [['sign', 'a=1'], ['sign']],
    [['--profile', 'live', 'config', 'set', 'key'], ['config']],
    [['--json', '--key', 'k', 'create', '-c', 'WX_NATIVE'], ['create']],
    [['help', 'refund'], ['refund']],
    [['--help'], []],
    [[], []],
    [['--', 'sign'], []],
  ])('%j builds %j', (argv, expected) => {
    const built = commandsToBuild(argv);
    expect(built).not.toBe('all');
    expect([...(built as Set<string>)]).toEqual(expected);
  });
  it('completion builds everything', () => expect(commandsToBuild(['completion', 'bash'])).toBe('all'));
});

describe('the command tree', () => {
  const base = { streams: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, env: {} };
  it('builds options only for the invoked command', () => {
    const program = buildProgram(base, {}, ['sign', 'a=1']);
    const byName = Object.fromEntries(program.commands.map((c) => [c.name(), c]));
    expect(byName.sign!.options.map((o) => o.long)).toEqual(['--file', '--explain']);
    expect(byName.create!.options).toHaveLength(0);
  });
  it('the full tree has every contract option on create', () => {
    const create = buildProgram(base).commands.find((c) => c.name() === 'create')!;
    const longs = create.options.map((o) => o.long);
    for (const flag of ['--channel', '--amount', '--currency', '--subject', '--body', '--notify-url', '--return-url', '--mch-order-no', '--client-ip', '--device', '--os-type', '--extra', '--product-id', '--open-id', '--app-id', '--param2', '--remarks', '--dry-run', '--wait', '--wait-timeout', '--strict']) {
      expect(longs).toContain(flag);
    }
  });
});
