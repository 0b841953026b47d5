/** The shape of one CLI command: its options, help text and run function. */
import type { Options, Parsed } from './args.ts';

export interface CliIo {
  /** Results (stdout). */
  out(line: string): void;
  /** Progress and diagnostics (stderr). */
  err(line: string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** Full help text, starting with the usage line. */
  help: string;
  options: Options;
  positionals?: boolean;
  run(args: Parsed, io: CliIo): Promise<number | void>;
}
