import type { Command } from 'commander';
import { UsageError } from '../errors/index.js';
import { withStore } from './admin-store.js';
import { dataDirOption } from './main.js';
import { checkName } from './users.js';

/** Registers `sts roles` and its sub-commands. */
export function registerRolesCommands(program: Command): void {
  const roles = program.command('roles').description('roles of the internal user store');
  roles
    .command('add <role>')
    .description('create a role')
    .addOption(dataDirOption())
    .action(async (role: string, options: { dataDir: string }) => {
      checkName(role, 'role');
      const created = await withStore(options.dataDir, (store) => store.addRole(role));
      process.stderr.write(created ? `created role ${role}\n` : `role ${role} already exists\n`);
    });
  roles
    .command('list')
    .description('list roles')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      for (const role of await withStore(options.dataDir, (store) => store.listRoles())) process.stdout.write(`${role}\n`);
    });
  roles
    .command('remove <role>')
    .description('delete a role and take it from every user')
    .addOption(dataDirOption())
    .action(async (role: string, options: { dataDir: string }) => {
      const removed = await withStore(options.dataDir, (store) => store.removeRole(role));
      if (!removed) throw new UsageError(`role ${role} not found`);
      process.stderr.write(`removed role ${role}\n`);
    });
}
