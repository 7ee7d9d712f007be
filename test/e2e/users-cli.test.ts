import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildIssueRequest } from '../../src/trust/index.js';
import { hasNoToken, postSoap, runCli, startServer, type RunningServer } from './harness.js';

const RP = 'https://rp.users.test/';

describe('users and roles commands', () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer({ relyingParties: [{ name: 'users-rp', config: { endpoint: RP } }] });
  });

  after(async () => {
    await server?.stop();
  });

  async function issue(username: string, password: string, digest = false) {
    const request = buildIssueRequest({
      endpoint: `${server.httpUrl}/services/wso2carbon-sts`,
      username,
      password,
      digest,
      soapVersion: '1.2',
      trustVersion: '1.3',
      appliesTo: RP,
    });
    return postSoap(`${server.httpUrl}/services/wso2carbon-sts`, request.body);
  }

  test('added user gets token without restart', async () => {
    const added = await server.cli(['users', 'add', 'bob', '--password-stdin', '--role', 'admin'], {
      input: 'Bob-Secret-01\n',
    });
    assert.equal(added.code, 0, added.stderr);
    const response = await issue('bob', 'Bob-Secret-01');
    assert.equal(response.status, 200);
    assert.ok(!hasNoToken(response.body));
  });

  test('passwd replaces the old password', async () => {
    await server.cli(['users', 'add', 'carol', '--password-stdin', '--role', 'admin'], { input: 'Carol-Old-01\n' });
    assert.ok(!hasNoToken((await issue('carol', 'Carol-Old-01')).body));

    const changed = await server.cli(['users', 'passwd', 'carol', '--password-env', 'NEW_PASSWORD'], {
      env: { NEW_PASSWORD: 'Carol-New-02' },
    });
    assert.equal(changed.code, 0, changed.stderr);
    const old = await issue('carol', 'Carol-Old-01');
    assert.ok(hasNoToken(old.body));
    assert.match(old.body, /wsse:FailedAuthentication/);
    assert.ok(!hasNoToken((await issue('carol', 'Carol-New-02')).body));
  });

  test('removed role denies tokens at once', async () => {
    await server.cli(['users', 'add', 'dave', '--password-stdin', '--role', 'admin'], { input: 'Dave-Secret-01\n' });
    assert.ok(!hasNoToken((await issue('dave', 'Dave-Secret-01')).body));

    const removed = await server.cli(['users', 'remove-role', 'dave', 'admin']);
    assert.equal(removed.code, 0, removed.stderr);
    const denied = await issue('dave', 'Dave-Secret-01');
    assert.ok(hasNoToken(denied.body));
    assert.match(denied.body, /wsse:FailedAuthentication/);
  });

  test('digest needs the opt-in', async () => {
    await server.cli(['users', 'add', 'erin', '--password-stdin', '--role', 'admin'], { input: 'Erin-Secret-01\n' });
    const withoutOptIn = await issue('erin', 'Erin-Secret-01', true);
    assert.ok(hasNoToken(withoutOptIn.body));
    assert.match(withoutOptIn.body, /wsse:FailedAuthentication/);

    const enabled = await server.cli(['users', 'passwd', 'erin', '--password-stdin', '--digest'], {
      input: 'Erin-Secret-01\n',
    });
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.ok(!hasNoToken((await issue('erin', 'Erin-Secret-01', true)).body));
  });

  test('set-claim stores several values', async () => {
    await server.cli(['users', 'add', 'frank', '--password-stdin'], { input: 'Frank-Secret-01\n' });
    const set = await server.cli(['users', 'set-claim', 'frank', 'http://wso2.org/claims/emailaddress', 'a@x.test', 'b@x.test']);
    assert.equal(set.code, 0, set.stderr);
    const shown = await server.cli(['users', 'show', 'frank', '--json']);
    const user = JSON.parse(shown.stdout) as { claims: Record<string, string[]>; passwordDigest: boolean };
    assert.deepEqual(user.claims['http://wso2.org/claims/emailaddress'], ['a@x.test', 'b@x.test']);
    assert.equal(user.passwordDigest, false);
  });

  test('list and roles list show entries', async () => {
    const users = await server.cli(['users', 'list']);
    assert.match(users.stdout, /^admin\troles: admin \[digest\]$/m);
    assert.match(users.stdout, /^bob\troles: admin$/m);
    const roles = await server.cli(['roles', 'list']);
    assert.match(roles.stdout, /^admin$/m);
  });

  test('errors name the problem', async () => {
    const duplicate = await server.cli(['users', 'add', 'admin', '--password-stdin'], { input: 'x\n' });
    assert.equal(duplicate.code, 2);
    assert.match(duplicate.stderr, /user admin already exists/);

    const missingRole = await server.cli(['users', 'add-role', 'bob', 'no-such-role']);
    assert.equal(missingRole.code, 2);
    assert.match(missingRole.stderr, /role no-such-role not found/);

    const noPassword = await server.cli(['users', 'add', 'gina']);
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /no password given: use --password-stdin/);

    const badClaim = await server.cli(['users', 'set-claim', 'bob', 'not a uri', 'v']);
    assert.equal(badClaim.code, 2);
    assert.match(badClaim.stderr, /is not an absolute URI/);
  });

  test('names with outer whitespace are rejected', async () => {
    for (const name of [' spaced ', '\tspaced\u00a0']) {
      const result = await server.cli(['users', 'add', name, '--password-stdin'], { input: 'Spaced-Secret-01\n' });
      assert.equal(result.code, 2, `exit code for ${JSON.stringify(name)}`);
      assert.equal(
        result.stderr,
        `sts: user name ${JSON.stringify(name).replace('\u00a0', '\\u00a0')} starts or ends with whitespace, ` +
          'which UsernameToken logins drop; remove it\n',
      );
    }
    const listed = await server.cli(['users', 'list']);
    assert.doesNotMatch(listed.stdout, /spaced/);
  });

  test('control characters are rejected escaped', async () => {
    const cases: Array<[string, string, string]> = [
      ['users', 'a\u001b[31m\nb', '"a\\u001b[31m\\nb"'],
      ['users', 'a\u009bb', '"a\\u009bb"'],
      ['roles', 'r\u0007', '"r\\u0007"'],
    ];
    for (const [command, name, quoted] of cases) {
      const result = await server.cli([command, 'add', name, ...(command === 'users' ? ['--password-stdin'] : [])], {
        input: 'Control-Secret-01\n',
      });
      assert.equal(result.code, 2, `exit code for ${quoted}`);
      const label = command === 'users' ? 'user name' : 'role';
      assert.equal(result.stderr, `sts: ${label} ${quoted} contains control characters; use printable characters only\n`);
    }
  });

  test('role with outer whitespace is rejected', async () => {
    const result = await server.cli(['users', 'add', 'ivan', '--password-stdin', '--role', 'admin '], { input: 'Ivan-Secret-01\n' });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'sts: role "admin " starts or ends with whitespace, which UsernameToken logins drop; remove it\n');
  });

  test('roles remove takes role from users', async () => {
    assert.equal((await server.cli(['roles', 'add', 'auditors'])).code, 0);
    await server.cli(['users', 'add-role', 'bob', 'auditors']);
    assert.equal((await server.cli(['roles', 'remove', 'auditors'])).code, 0);
    const shown = JSON.parse((await server.cli(['users', 'show', 'bob', '--json'])).stdout) as { roles: string[] };
    assert.deepEqual(shown.roles, ['admin']);
  });

  test('policy allow-role grants tokens', async () => {
    await server.cli(['users', 'add', 'ivy', '--password-stdin', '--role', 'operators'], { input: 'Ivy-Secret-01\n' });
    const denied = await issue('ivy', 'Ivy-Secret-01');
    assert.ok(hasNoToken(denied.body));
    assert.match(denied.body, /wsse:FailedAuthentication/);

    const allowed = await server.cli(['policy', 'allow-role', 'operators']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.ok(!hasNoToken((await issue('ivy', 'Ivy-Secret-01')).body));
    const shown = JSON.parse((await server.cli(['policy', 'show', '--json'])).stdout) as { allowedRoles: string[] };
    assert.deepEqual(shown.allowedRoles, ['admin', 'operators']);

    const removed = await server.cli(['policy', 'deny-role', 'operators']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(hasNoToken((await issue('ivy', 'Ivy-Secret-01')).body));
  });

  test('policy allow-role needs an existing role', async () => {
    const result = await server.cli(['policy', 'allow-role', 'no-such-role']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /role "no-such-role" not found; create it with "sts roles add ROLE"/);
  });

  test('removed user cannot log in', async () => {
    await server.cli(['users', 'add', 'hank', '--password-stdin', '--role', 'admin'], { input: 'Hank-Secret-01\n' });
    assert.ok(!hasNoToken((await issue('hank', 'Hank-Secret-01')).body));
    assert.equal((await server.cli(['users', 'remove', 'hank'])).code, 0);
    assert.ok(hasNoToken((await issue('hank', 'Hank-Secret-01')).body));
  });
});

describe('admin commands without a data directory', () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sts-no-data-dir-'));

  after(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  function notFound(dir: string): string {
    return (
      `sts: data directory ${dir} not found (no sts.db); check --data-dir or STS_DATA_DIR, ` +
      `or start "sts serve --data-dir ${dir}" once to create it\n`
    );
  }

  test('missing directory is not created', async () => {
    const dir = path.join(parent, 'nonexist');
    const result = await runCli(['users', 'list', '--data-dir', dir]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, notFound(dir));
    assert.equal(existsSync(dir), false, 'the directory was not created');
  });

  test('STS_DATA_DIR gets the same check', async () => {
    const result = await runCli(['roles', 'list'], { env: { STS_DATA_DIR: 'from-env' }, cwd: parent });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, notFound(path.join(parent, 'from-env')));
    assert.equal(existsSync(path.join(parent, 'from-env')), false, 'the directory was not created');
  });

  test('directory without store is rejected', async () => {
    const dir = path.join(parent, 'empty');
    mkdirSync(dir);
    const result = await runCli(['users', 'add', 'bob', '--password-stdin', '--data-dir', dir], { input: 'Bob-Secret-01\n' });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, notFound(dir));
    assert.equal(existsSync(path.join(dir, 'sts.db')), false, 'no store was created');
  });

  test('file as data directory is rejected', async () => {
    const file = path.join(parent, 'a-file');
    writeFileSync(file, 'not a directory\n');
    const result = await runCli(['users', 'list', '--data-dir', file]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `sts: data directory ${file} is a file, not a directory; check --data-dir or STS_DATA_DIR\n`);
  });
});
