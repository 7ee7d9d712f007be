import type { Command } from 'commander';
import { UsageError } from '../errors/index.js';
import { DEFAULT_SECURITY_POLICY, SECURITY_POLICY_SETTING, type SecurityPolicySettings } from '../policy/index.js';
import type { StsStore } from '../store/index.js';
import { withStore } from './admin-store.js';
import { dataDirOption } from './main.js';
import { checkName } from './users.js';

async function readPolicy(store: StsStore): Promise<SecurityPolicySettings> {
  return (await store.getSetting<SecurityPolicySettings>(SECURITY_POLICY_SETTING)) ?? DEFAULT_SECURITY_POLICY;
}

/** Registers `sts policy`: the security scenario of the STS endpoint and the roles it allows. */
export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('security policy of the STS endpoint: scenario and the roles allowed to obtain tokens');

  policy
    .command('show')
    .description('print the applied scenario and the allowed roles')
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string; json?: boolean }) => {
      const current = await withStore(options.dataDir, readPolicy);
      if (options.json) {
        process.stdout.write(JSON.stringify(current, null, 2) + '\n');
        return;
      }
      process.stdout.write(`scenario:      ${current.scenarioId} (${current.scenario})\n`);
      process.stdout.write(`allowed roles: ${current.allowedRoles.join(', ') || '-'}\n`);
    });

  policy
    .command('allow-role <role>')
    .description('let members of an existing role obtain tokens')
    .addOption(dataDirOption())
    .action(async (role: string, options: { dataDir: string }) => {
      checkName(role, 'role');
      await withStore(options.dataDir, async (store) => {
        if (!(await store.listRoles()).includes(role)) {
          throw new UsageError(`role ${JSON.stringify(role)} not found; create it with "sts roles add ROLE"`);
        }
        const current = await readPolicy(store);
        if (current.allowedRoles.includes(role)) return;
        await store.setSetting(SECURITY_POLICY_SETTING, { ...current, allowedRoles: [...current.allowedRoles, role] });
      });
      process.stderr.write(`role ${role} may obtain tokens\n`);
    });

  policy
    .command('deny-role <role>')
    .description('stop members of a role from obtaining tokens')
    .addOption(dataDirOption())
    .action(async (role: string, options: { dataDir: string }) => {
      await withStore(options.dataDir, async (store) => {
        const current = await readPolicy(store);
        if (!current.allowedRoles.includes(role)) {
          throw new UsageError(`role ${JSON.stringify(role)} is not allowed by the policy; "sts policy show" lists the allowed roles`);
        }
        const allowedRoles = current.allowedRoles.filter((allowed) => allowed !== role);
        await store.setSetting(SECURITY_POLICY_SETTING, { ...current, allowedRoles });
      });
      process.stderr.write(`role ${role} may no longer obtain tokens\n`);
    });
}
