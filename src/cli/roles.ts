import type { Command } from 'commander';

/** Registers `sts roles` and its sub-commands. */
export function registerRolesCommands(program: Command): void {
  program.command('roles').description('(not built yet)');
}
