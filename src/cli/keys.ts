import type { Command } from 'commander';
import path from 'node:path';
import { openDataDirectory } from '../server/runtime.js';
import { dataDirOption } from './main.js';

/** Registers `sts keys` and its sub-commands. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('token-signing keys and trusted certificates');
  keys
    .command('cert')
    .description('print the active token-signing certificate in PEM, for relying parties')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const store = await openDataDirectory(path.resolve(options.dataDir));
      const active = (await store.listKeyEntries()).find((entry) => entry.kind === 'signing' && entry.active);
      await store.close();
      if (!active) {
        process.stderr.write('sts keys cert: no signing key yet; start the server once with "sts serve" to generate it\n');
        process.exitCode = 1;
        return;
      }
      process.stdout.write(active.certificatePem);
    });
}
