import type { Command } from 'commander';

/** Registers `sts sp` and its sub-commands. */
export function registerSpCommands(program: Command): void {
  program.command('sp').description('(not built yet)');
}
