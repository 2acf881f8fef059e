// `iotpay completion bash|zsh|fish`: completion scripts generated from the command tree itself, so they never drift.
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { CREATE_CHANNELS } from '../core/channels.js';
import { SETTINGS } from '../config/settings.js';
import { UsageError } from '../errors.js';

export interface CompletionOptions {
  shell?: string;
}

interface OptionSpec {
  short?: string;
  long?: string;
  takesValue: boolean;
  description: string;
}

interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  subcommands: CommandSpec[];
}

function describe(cmd: Command): CommandSpec {
  return {
    name: cmd.name(),
    description: cmd.description(),
    options: cmd.options.map((o) => ({
      ...(o.short ? { short: o.short } : {}),
      ...(o.long ? { long: o.long } : {}),
      takesValue: o.required || o.optional,
      description: o.description,
    })),
    subcommands: cmd.commands.map(describe),
  };
}

/** Values offered after an option, by its long name; `profiles` and `settings` are looked up live. */
const VALUES: Record<string, string> = {
  '--channel': CREATE_CHANNELS.map((c) => c.id).join(' '),
  '--os-type': 'IOS ANDROID',
  '--fault': 'http500 timeout badsign',
};
const SETTING_NAMES = SETTINGS.map((s) => s.name).join(' ');
const SHELLS = ['bash', 'zsh', 'fish'];

const flagsOf = (spec: CommandSpec) => spec.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));

function bash(root: CommandSpec): string {
  const globals = flagsOf(root).join(' ');
  const cases = root.subcommands
    .map((sub) => {
      const subs = sub.subcommands.map((s) => s.name).join(' ');
      const words = [subs, flagsOf(sub).join(' ')].filter(Boolean).join(' ');
      let extra = '';
      if (sub.name === 'config') {
        extra = `
      case "\${sub}" in
        set|get|unset) [[ "\${cur}" != -* && \${argn} -eq 0 ]] && { COMPREPLY=( $(compgen -W "${SETTING_NAMES}" -- "\${cur}") ); return; } ;;
        use) COMPREPLY=( $(compgen -W "$(_iotpay_profiles)" -- "\${cur}") ); return ;;
      esac`;
      } else if (sub.name === 'completion') {
        extra = `
      COMPREPLY=( $(compgen -W "${SHELLS.join(' ')}" -- "\${cur}") ); return ;;`;
        return `    completion)${extra}`;
      }
      return `    ${sub.name})${extra}
      COMPREPLY=( $(compgen -W "${words} ${globals}" -- "\${cur}") ) ;;`;
    })
    .join('\n');
  const valueCases = Object.entries(VALUES)
    .map(([flag, values]) => `    ${flag}${flag === '--channel' ? '|-c' : ''}) COMPREPLY=( $(compgen -W "${values}" -- "\${cur}") ); return ;;`)
    .join('\n');
  return `# bash completion for iotpay; install: source <(iotpay completion bash)
_iotpay_profiles() {
  iotpay --no-color config profiles 2>/dev/null | sed 's/^[* ] //'
}
_iotpay() {
  local cur prev cmd="" sub="" argn=0 i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "\${prev}" in
${valueCases}
    --profile) COMPREPLY=( $(compgen -W "$(_iotpay_profiles)" -- "\${cur}") ); return ;;
    --file|-f|--ca-file|--out|-o) COMPREPLY=( $(compgen -f -- "\${cur}") ); return ;;
  esac
  for (( i=1; i<COMP_CWORD; i++ )); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) if [[ -z "\${cmd}" ]]; then cmd="\${COMP_WORDS[i]}"; elif [[ -z "\${sub}" ]]; then sub="\${COMP_WORDS[i]}"; else argn=$((argn+1)); fi ;;
    esac
  done
  case "\${cmd}" in
    "") COMPREPLY=( $(compgen -W "${root.subcommands.map((s) => s.name).join(' ')} ${globals}" -- "\${cur}") ) ;;
${cases}
  esac
}
complete -F _iotpay iotpay
`;
}

function zsh(root: CommandSpec): string {
  const globals = flagsOf(root).join(' ');
  const cases = root.subcommands
    .map((sub) => {
      if (sub.name === 'completion') return `    completion) compadd -- ${SHELLS.join(' ')} ;;`;
      if (sub.name === 'config') {
        return `    config)
      case $sub in
        '') compadd -- ${sub.subcommands.map((s) => s.name).join(' ')} ;;
        set|get|unset) (( argn == 0 )) && compadd -- ${SETTING_NAMES} ;;
        use) compadd -- $(_iotpay_profiles) ;;
      esac ;;`;
      }
      return `    ${sub.name}) compadd -- ${flagsOf(sub).join(' ')} ${globals} ;;`;
    })
    .join('\n');
  const valueCases = Object.entries(VALUES)
    .map(([flag, values]) => `    ${flag}${flag === '--channel' ? '|-c' : ''}) compadd -- ${values}; return ;;`)
    .join('\n');
  return `#compdef iotpay
# zsh completion for iotpay; install: source <(iotpay completion zsh)  (after compinit)
_iotpay_profiles() {
  iotpay --no-color config profiles 2>/dev/null | sed 's/^[* ] //'
}
_iotpay() {
  local prev=\${words[CURRENT-1]} cmd='' sub='' i
  integer argn=0
  case $prev in
${valueCases}
    --profile) compadd -- $(_iotpay_profiles); return ;;
    --file|-f|--ca-file|--out|-o) _files; return ;;
  esac
  for (( i=2; i<CURRENT; i++ )); do
    case \${words[i]} in
      -*) ;;
      *) if [[ -z $cmd ]]; then cmd=\${words[i]}; elif [[ -z $sub ]]; then sub=\${words[i]}; else (( argn++ )); fi ;;
    esac
  done
  case $cmd in
    '') compadd -- ${root.subcommands.map((s) => s.name).join(' ')} ${globals} ;;
${cases}
  esac
}
compdef _iotpay iotpay
`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function fish(root: CommandSpec): string {
  const lines = ['# fish completion for iotpay; install: iotpay completion fish > ~/.config/fish/completions/iotpay.fish', 'complete -c iotpay -f'];
  const optionLine = (o: OptionSpec, condition?: string) => {
    const parts = ['complete -c iotpay'];
    if (condition) parts.push(`-n ${fishQuote(condition)}`);
    if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
    if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
    if (o.takesValue) {
      const values = o.long ? VALUES[o.long] : undefined;
      if (o.long === '--profile') parts.push(`-x -a ${fishQuote('(iotpay --no-color config profiles 2>/dev/null | string replace -r "^[* ] " "")')}`);
      else if (values) parts.push(`-x -a ${fishQuote(values)}`);
      else if (/file|out/.test(o.long ?? '')) parts.push('-r -F');
      else parts.push('-x');
    }
    parts.push(`-d ${fishQuote(o.description)}`);
    return parts.join(' ');
  };
  for (const o of root.options) lines.push(optionLine(o));
  for (const sub of root.subcommands) {
    lines.push(`complete -c iotpay -n __fish_use_subcommand -a ${sub.name} -d ${fishQuote(sub.description)}`);
    const cond = `__fish_seen_subcommand_from ${sub.name}`;
    for (const o of sub.options) lines.push(optionLine(o, cond));
    for (const inner of sub.subcommands) {
      lines.push(`complete -c iotpay -n ${fishQuote(`${cond}; and not __fish_seen_subcommand_from ${sub.subcommands.map((s) => s.name).join(' ')}`)} -a ${inner.name} -d ${fishQuote(inner.description)}`);
    }
  }
  lines.push(`complete -c iotpay -n ${fishQuote('__fish_seen_subcommand_from set get unset')} -a ${fishQuote(SETTING_NAMES)}`);
  lines.push(`complete -c iotpay -n ${fishQuote('__fish_seen_subcommand_from use')} -a ${fishQuote('(iotpay --no-color config profiles 2>/dev/null | string replace -r "^[* ] " "")')}`);
  lines.push(`complete -c iotpay -n ${fishQuote('__fish_seen_subcommand_from completion')} -a ${fishQuote(SHELLS.join(' '))}`);
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: string, program: Command): string {
  const root = describe(program);
  root.subcommands = root.subcommands.filter((s) => s.name !== 'help');
  if (shell === 'bash') return bash(root);
  if (shell === 'zsh') return zsh(root);
  return fish(root);
}

export async function runCompletion(opts: CompletionOptions, ctx: Context, program: Command): Promise<void> {
  if (!opts.shell || !SHELLS.includes(opts.shell)) {
    const what = opts.shell ? `no completion for the shell "${opts.shell}"` : 'completion needs a shell';
    throw new UsageError(`${what}: ${SHELLS.join(', ')}`, 'e.g. source <(iotpay completion bash)');
  }
  const script = completionScript(opts.shell, program);
  // --json: one document like every command's, the script inside it.
  if (ctx.json) ctx.printJson({ shell: opts.shell, script });
  else ctx.streams.stdout.write(script);
}
