/**
 * earshot CLI: the same core as the page, headless. `earshot <command> --help` for each.
 * Bad input exits non-zero with a one-line reason on stderr.
 */
import { EarshotError, describeError } from '../core/errors.ts';
import { parse } from './args.ts';
import type { CliIo, Command } from './command.ts';
import { boardsCommand } from './commands/boards.ts';
import { evalCommand } from './commands/eval.ts';
import { exportCommand } from './commands/export.ts';
import { fitCommand } from './commands/fit.ts';
import { predictCommand } from './commands/predict.ts';
import { quantizeCommand } from './commands/quantize.ts';
import { searchCommand } from './commands/search.ts';
import { trainCommand } from './commands/train.ts';
import { featuresCommand } from './commands/features.ts';
import { voicesCommand } from './commands/voices.ts';

export const COMMANDS: readonly Command[] = [featuresCommand, trainCommand, quantizeCommand, evalCommand, predictCommand, fitCommand, searchCommand, exportCommand, boardsCommand, voicesCommand];

function overview(): string {
  return [
    'usage: earshot <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run `earshot <command> --help` for the options of each.',
  ].join('\n');
}

const stdio: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`earshot: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    return 2;
  }
  try {
    const args = parse(rest, command.options, command.positionals ?? false);
    if (args.values.help) {
      io.out(command.help);
      return 0;
    }
    const code = await command.run(args, io);
    return code ?? 0;
  } catch (e) {
    const line = describeError(e).split('\n')[0];
    io.err(`earshot ${name}: ${line}`);
    if (!(e instanceof EarshotError) && process.env.EARSHOT_DEBUG) io.err(String((e as Error).stack));
    return e instanceof EarshotError && e.code === 'cli/usage' ? 2 : 1;
  }
}
