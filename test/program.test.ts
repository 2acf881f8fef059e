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

  it('the root help lists every exit code of the contract, one a line, aligned; each command lists only those', async () => {
    const { ExitCode } = await import('../src/errors.js');
    const helpOf = (argv: string[]) => {
      const program = buildProgram({ streams: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, env: {} }, {}, argv);
      const command = argv[0] ? program.commands.find((c) => c.name() === argv[0])! : program;
      let help = '';
      command.configureOutput({ writeOut: (s) => (help += s) });
      command.outputHelp();
      return help;
    };
    const listed = (help: string) => {
      const section = /\nExit codes:\n((?: {2}\d+ +\S.*\n)+)/.exec(help);
      expect(section, help).not.toBeNull();
      const lines = section![1]!.trimEnd().split('\n');
      // Meanings start in one column.
      expect(new Set(lines.map((l) => /^ {2}\d+ +/.exec(l)![0].length)).size).toBe(1);
      return lines.map((l) => Number(l.trim().split(' ')[0]));
    };
    expect(listed(helpOf([]))).toEqual(Object.values(ExitCode));
    for (const command of ['verify', 'create', 'query', 'refund', 'doctor']) {
      const codes = listed(helpOf([command]));
      expect(codes.every((c) => (Object.values(ExitCode) as number[]).includes(c)), command).toBe(true);
      expect(codes, command).toContain(ExitCode.Usage);
    }
  });
});
