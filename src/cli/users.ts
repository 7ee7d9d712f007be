import type { Command } from 'commander';

/** Registers `sts users` and its sub-commands. */
export function registerUsersCommands(program: Command): void {
  program.command('users').description('(not built yet)');
}
