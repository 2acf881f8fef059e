// README and --help in step: every option of every command is documented in that command's README section.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';
import { ROOT } from './helpers/cli.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const program = buildProgram({ streams: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }, env: {} });

/** The README text from `### \`iotpay <name>` to the next heading of that level or above. */
function section(name: string): string {
  const start = readme.search(new RegExp(`^### \`iotpay ${name}\\b`, 'm'));
  if (start < 0) return '';
  const rest = readme.slice(start + 4);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Each command with its options (config's subcommands are documented in config's section). */
function optionsOf(command: Command): string[] {
  return [...command.options.map((o) => o.long!), ...command.commands.flatMap(optionsOf)];
}

describe('README', () => {
  it.each(program.commands.map((c) => [c.name(), c] as const))('documents every option of %s in its section', (name, command) => {
    const text = section(name);
    expect(text, `no README section for iotpay ${name}`).not.toBe('');
    const missing = optionsOf(command).filter((flag) => !text.includes(flag));
    expect(missing).toEqual([]);
  });
  it('documents every global option', () => {
    const missing = program.options.map((o) => o.long!).filter((flag) => !readme.includes(flag));
    expect(missing).toEqual([]);
  });
});
