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
  it('COMMAND_NAMES lists exactly the commands of the full tree', async () => {
    const { COMMAND_NAMES } = await import('../src/program.js');
    const names = buildProgram({ streams: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, env: {} }).commands.map((c) => c.name());
    expect(names).toEqual([...COMMAND_NAMES]);
  });
  const base = { streams: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, env: {} };
  it('registers only the invoked command, and every command for help or a typo', () => {
    const program = buildProgram(base, {}, ['sign', 'a=1']);
    expect(program.commands.map((c) => c.name())).toEqual(['sign']);
    expect(program.commands[0]!.options.map((o) => o.long)).toEqual(['--file', '--explain']);
    const help = buildProgram(base, {}, ['--help']);
    expect(help.commands).toHaveLength(12);
    expect(help.commands.every((c) => c.options.length === 0)).toBe(true);
    expect(buildProgram(base, {}, ['sgin']).commands).toHaveLength(12);
    const helpCreate = buildProgram(base, {}, ['help', 'create']).commands;
    expect(helpCreate).toHaveLength(12);
    expect(helpCreate.find((c) => c.name() === 'create')!.options.length).toBeGreaterThan(10);
  });
  it('the full tree has every contract option on create', () => {
    const create = buildProgram(base).commands.find((c) => c.name() === 'create')!;
    const longs = create.options.map((o) => o.long);
    for (const flag of ['--channel', '--amount', '--currency', '--subject', '--body', '--notify-url', '--return-url', '--mch-order-no', '--client-ip', '--device', '--os-type', '--extra', '--product-id', '--open-id', '--app-id', '--param2', '--remarks', '--dry-run', '--wait', '--wait-timeout', '--strict']) {
      expect(longs).toContain(flag);
    }
  });
});

describe('help text in step with the code', () => {
  it('mock --help states the order book capacity', async () => {
    const { ORDER_BOOK_CAPACITY } = await import('../src/servers/order-book.js');
    const program = buildProgram({ streams: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, env: {} });
    const mock = program.commands.find((c) => c.name() === 'mock')!;
    let help = '';
    mock.configureOutput({ writeOut: (s) => (help += s) });
    mock.outputHelp();
    expect(help).toContain(`newest ${ORDER_BOOK_CAPACITY.toLocaleString('en-US')} orders`);
  });
});
