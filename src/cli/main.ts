import { Command, CommanderError, Option } from 'commander';
import { ConfigError, UsageError } from '../errors/index.js';
import { registerClientCommand } from './client.js';
import { registerKeysCommands } from './keys.js';
import { registerPolicyCommands } from './policy.js';
import { registerRolesCommands } from './roles.js';
import { registerSpCommands } from './sp.js';
import { registerUsersCommands } from './users.js';
import { registerServeCommand } from './serve.js';

/** Default data directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = './data';

/** Adds the common `--data-dir` option to a command. */
export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'data directory (SQLite store, keys, TLS certificate)').default(
    process.env.STS_DATA_DIR ?? DEFAULT_DATA_DIR,
  );
}

const program = new Command();
program
  .name('sts')
  .description('WS-Trust Security Token Service: issues signed SAML 1.1 and SAML 2.0 tokens')
  .showHelpAfterError()
  // Usage mistakes exit with 2, like the errors below; exitOverride is inherited by every command.
  .exitOverride();

// A reader that stops early (`sts users list | head -1`) closes the pipe; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

registerServeCommand(program);
registerClientCommand(program);
registerKeysCommands(program);
registerUsersCommands(program);
registerRolesCommands(program);
registerSpCommands(program);
registerPolicyCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the message or the help text.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`sts: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
