import type { Command } from 'commander';
import { CliError } from '../cli-context';

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion <shell>')
    .description(
      'print a shell completion script for govledger (bash; zsh via bashcompinit): eval "$(govledger completion bash)"',
    )
    .action((shell: string) => {
      if (shell !== 'bash')
        throw new CliError('completion: only bash is supported (zsh: autoload bashcompinit)');
      process.stdout.write(bashCompletion(program));
    });
}

/** Every command path (`keys`, `keys rotate`, ...) with the words that may follow it. */
function commandWords(command: Command, path: string[] = []): Array<{ path: string; words: string[] }> {
  const words = [
    ...command.commands.map((sub) => sub.name()),
    ...command.options.flatMap((option) => [option.long ?? option.short ?? []].flat()),
    '--help',
  ];
  return [
    { path: path.join(' '), words },
    ...command.commands.flatMap((sub) => commandWords(sub, [...path, sub.name()])),
  ];
}

/**
 * Generated from the program itself, so a new command or option is completed
 * without anyone editing a script. The command path is the run of leading
 * words that name subcommands; everything after it gets that command's words.
 */
export function bashCompletion(program: Command): string {
  const entries = commandWords(program);
  const paths = entries.map((entry) => entry.path).join('|');
  const cases = entries.map((entry) => `    '${entry.path}') words='${entry.words.join(' ')}' ;;`).join('\n');
  return `# bash completion for ${program.name()}: eval "$(${program.name()} completion bash)"
_${program.name()}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd='' words='' w next
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    next="\${cmd:+$cmd }$w"
    case "|${paths}|" in *"|$next|"*) cmd="$next" ;; esac
  done
  case "$cmd" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _${program.name()} ${program.name()}
`;
}
