import { listBoards } from '../../core/mcu/boards.ts';
import { flag } from '../args.ts';
import type { Command } from '../command.ts';

export const boardsCommand: Command = {
  name: 'boards',
  summary: 'list the boards the estimator knows',
  help: `usage: earshot boards [--json]

  --json   every board with core, clock, SRAM, flash and its sources`,
  options: { json: { type: 'boolean' } },
  async run({ values }, io) {
    const boards = listBoards();
    if (flag(values, 'json')) {
      io.out(JSON.stringify(boards));
      return;
    }
    io.out('id'.padEnd(20) + 'name'.padEnd(40) + 'core'.padEnd(16) + 'MHz'.padStart(6) + 'SRAM KiB'.padStart(10) + 'flash KiB'.padStart(11));
    for (const b of boards) {
      io.out(b.id.padEnd(20) + b.name.slice(0, 38).padEnd(40) + b.core.padEnd(16) + String(b.clockMhz).padStart(6) + String(Math.round(b.sramBytes / 1024)).padStart(10) + String(Math.round(b.flashBytes / 1024)).padStart(11));
    }
  },
};
