import type { Command } from 'commander';
import { quoteForMessage } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import { DigestSecretBox, hashPassword } from '../identity/index.js';
import { withStore } from './admin-store.js';
import { dataDirOption } from './main.js';
import { readSecret, type SecretSourceOptions } from './secret-input.js';

interface DataDirOptions {
  dataDir: string;
}

type PasswordOptions = DataDirOptions & SecretSourceOptions & { digest?: boolean };

/** Adds the password source options shared by `users add` and `users passwd`. */
function passwordOptions(command: Command): Command {
  return command
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--password-file <file>', 'read the password from the first line of a file')
    .option('--password-env <var>', 'read the password from an environment variable')
    .option('--digest', 'also keep the password recoverable so the user can send PasswordDigest')
    .option('--no-digest', 'keep only the scrypt hash (PasswordDigest logins fail)');
}

/** Registers `sts users` and its sub-commands. */
export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('users of the internal user store');

  passwordOptions(users.command('add <name>').description('create a user (password from stdin, a file, a variable or a prompt)'))
    .option('--role <role>', 'give the user a role (repeatable; the role is created if missing)', collect, [])
    .addOption(dataDirOption())
    .action(async (name: string, options: PasswordOptions & { role: string[] }) => {
      checkName(name, 'user name');
      for (const role of options.role) checkName(role, 'role');
      const password = await readSecret(options, `Password for ${name}: `);
      await withStore(options.dataDir, async (store, dataDir) => {
        const digestSecret = options.digest ? DigestSecretBox.open(dataDir).seal(password) : null;
        await store.createUser({ name, passwordHash: await hashPassword(password), digestSecret });
        for (const role of options.role) {
          await store.addRole(role);
          await store.addUserRole(name, role);
        }
      });
      process.stderr.write(`created user ${name}${options.role.length ? ` with roles ${options.role.join(', ')}` : ''}\n`);
    });

  users
    .command('list')
    .description('list users with their roles')
    .addOption(dataDirOption())
    .action(async (options: DataDirOptions) => {
      const list = await withStore(options.dataDir, (store) => store.listUsers());
      for (const user of list) {
        const digest = user.digestSecret ? ' [digest]' : '';
        process.stdout.write(`${user.name}\troles: ${user.roles.join(', ') || '-'}${digest}\n`);
      }
    });

  users
    .command('show <name>')
    .description('show a user: roles, claims and whether PasswordDigest is enabled')
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .action(async (name: string, options: DataDirOptions & { json?: boolean }) => {
      const user = await withStore(options.dataDir, (store) => store.getUser(name));
      if (!user) throw new UsageError(`user ${name} not found`);
      const view = {
        name: user.name,
        roles: user.roles,
        claims: user.claims,
        passwordDigest: Boolean(user.digestSecret),
        createdAt: user.createdAt,
        updatedAt: user.updatedAt,
      };
      if (options.json) {
        process.stdout.write(JSON.stringify(view, null, 2) + '\n');
        return;
      }
      process.stdout.write(`name:            ${view.name}\nroles:           ${view.roles.join(', ') || '-'}\n`);
      process.stdout.write(`password digest: ${view.passwordDigest ? 'enabled' : 'disabled'}\n`);
      for (const [uri, values] of Object.entries(view.claims)) process.stdout.write(`claim:           ${uri} = ${values.join(', ')}\n`);
    });

  passwordOptions(users.command('passwd <name>').description('set a new password'))
    .addOption(dataDirOption())
    .action(async (name: string, options: PasswordOptions) => {
      const password = await readSecret(options, `New password for ${name}: `);
      await withStore(options.dataDir, async (store, dataDir) => {
        const existing = await store.getUser(name);
        if (!existing) throw new UsageError(`user ${name} not found`);
        // Without --digest or --no-digest the user keeps the current PasswordDigest setting.
        const digest = options.digest ?? Boolean(existing.digestSecret);
        const digestSecret = digest ? DigestSecretBox.open(dataDir).seal(password) : null;
        await store.updatePassword(name, await hashPassword(password), digestSecret);
      });
      process.stderr.write(`password of ${name} changed\n`);
    });

  users
    .command('remove <name>')
    .description('delete a user with its roles and claims')
    .addOption(dataDirOption())
    .action(async (name: string, options: DataDirOptions) => {
      const removed = await withStore(options.dataDir, (store) => store.deleteUser(name));
      if (!removed) throw new UsageError(`user ${name} not found`);
      process.stderr.write(`removed user ${name}\n`);
    });

  users
    .command('set-claim <name> <uri> <values...>')
    .description('set a claim (attribute) to one or more values, replacing earlier values')
    .addOption(dataDirOption())
    .action(async (name: string, uri: string, values: string[], options: DataDirOptions) => {
      checkClaimUri(uri);
      await withStore(options.dataDir, (store) => store.setUserClaim(name, uri, values));
      process.stderr.write(`set ${uri} of ${name}\n`);
    });

  users
    .command('remove-claim <name> <uri>')
    .description('remove a claim from a user')
    .addOption(dataDirOption())
    .action(async (name: string, uri: string, options: DataDirOptions) => {
      const removed = await withStore(options.dataDir, (store) => store.removeUserClaim(name, uri));
      if (!removed) throw new UsageError(`user ${name} has no claim ${uri}`);
      process.stderr.write(`removed ${uri} from ${name}\n`);
    });

  users
    .command('add-role <name> <role>')
    .description('give a user a role (the role must exist)')
    .addOption(dataDirOption())
    .action(async (name: string, role: string, options: DataDirOptions) => {
      await withStore(options.dataDir, (store) => store.addUserRole(name, role));
      process.stderr.write(`added role ${role} to ${name}\n`);
    });

  users
    .command('remove-role <name> <role>')
    .description('take a role away from a user')
    .addOption(dataDirOption())
    .action(async (name: string, role: string, options: DataDirOptions) => {
      const removed = await withStore(options.dataDir, (store) => store.removeUserRole(name, role));
      if (!removed) throw new UsageError(`user ${name} does not have role ${role}`);
      process.stderr.write(`removed role ${role} from ${name}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Rejects names that are empty, that contain control characters or line separators (which would
 * corrupt listings), or that start or end with whitespace. UsernameToken logins trim the user name,
 * so " bob " could never log in and would only shadow "bob".
 */
export function checkName(value: string, what: string): void {
  if (!value.trim()) throw new UsageError(`${what} ${quoteForMessage(value)} is empty`);
  if (value !== value.trim()) {
    throw new UsageError(`${what} ${quoteForMessage(value)} starts or ends with whitespace, which UsernameToken logins drop; remove it`);
  }
  if (/[\p{Cc}\u2028\u2029]/u.test(value)) {
    throw new UsageError(`${what} ${quoteForMessage(value)} contains control characters; use printable characters only`);
  }
}

function checkClaimUri(uri: string): void {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s\p{Cc}]+$/u.test(uri)) {
    throw new UsageError(`claim URI ${quoteForMessage(uri)} is not an absolute URI, e.g. http://wso2.org/claims/emailaddress`);
  }
}
