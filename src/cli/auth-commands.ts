import type { Command } from 'commander';
import { ApiClient, saveSession } from './api-client';

const MLFLOW = '/api/2.0/mlflow';
const KILN = '/api/2.0/kiln';

/** Reads a secret from the environment or, interactively, from the terminal without echo. */
async function secret(prompt: string, envName: string): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  muted._writeToOutput = () => undefined;
  process.stdout.write(prompt);
  const answer = await rl.question('');
  rl.close();
  process.stdout.write('\n');
  return answer;
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

/** `kiln login`, `kiln users …`, `kiln tokens …`, `kiln grant`. */
export function registerAuthCommands(program: Command): void {
  const urlOption = [
    '--url <url>',
    'Kiln server URL (KILN_URL; default http://127.0.0.1:5000)',
  ] as const;

  program
    .command('login')
    .description('Log in and keep a session in ~/.kiln/credentials.json')
    .option(...urlOption)
    .requiredOption('-u, --username <name>', 'user name')
    .action(async (opts: { url?: string; username: string }) => {
      const api = await ApiClient.create(opts.url);
      const password = await secret('Password: ', 'KILN_PASSWORD');
      const tokens = await api.call<{ access_token: string; refresh_token: string }>(
        'POST',
        `${KILN}/auth/login`,
        { username: opts.username, password },
      );
      await saveSession({ url: api.url, ...tokens });
      console.log(`Logged in to ${api.url} as ${opts.username}.`);
    });

  const users = program.command('users').description('Manage users (admins)');
  users
    .command('create <username>')
    .option('--admin', 'make the user an admin')
    .option(...urlOption)
    .action(async (username: string, opts: { url?: string; admin?: boolean }) => {
      const api = await ApiClient.create(opts.url);
      const password = await secret(`Password for ${username}: `, 'KILN_NEW_PASSWORD');
      await api.call('POST', `${MLFLOW}/users/create`, { username, password });
      if (opts.admin)
        await api.call('PATCH', `${MLFLOW}/users/update-admin`, { username, is_admin: true });
      console.log(`Created user ${username}.`);
    });
  users
    .command('list')
    .option(...urlOption)
    .action(async (opts: { url?: string }) => {
      print(await (await ApiClient.create(opts.url)).call('GET', `${MLFLOW}/users/list`));
    });
  users
    .command('delete <username>')
    .option(...urlOption)
    .action(async (username: string, opts: { url?: string }) => {
      await (
        await ApiClient.create(opts.url)
      ).call('DELETE', `${MLFLOW}/users/delete`, { username });
      console.log(`Deleted user ${username}.`);
    });
  users
    .command('password <username>')
    .description("Change a user's password")
    .option(...urlOption)
    .action(async (username: string, opts: { url?: string }) => {
      const password = await secret('New password: ', 'KILN_NEW_PASSWORD');
      await (
        await ApiClient.create(opts.url)
      ).call('PATCH', `${MLFLOW}/users/update-password`, {
        username,
        password,
      });
      console.log(`Changed the password of ${username}.`);
    });

  const tokens = program.command('tokens').description('Manage your API tokens');
  tokens
    .command('create <name>')
    .option('--read-only', 'the token can only read')
    .option('--expires-in-days <days>', 'expiry in days', (v) => Number.parseInt(v, 10))
    .option(...urlOption)
    .action(
      async (name: string, opts: { url?: string; readOnly?: boolean; expiresInDays?: number }) => {
        const created = await (
          await ApiClient.create(opts.url)
        ).call<{ token: string }>('POST', `${KILN}/tokens/create`, {
          name,
          read_only: opts.readOnly ?? false,
          ...(opts.expiresInDays ? { expires_in_seconds: opts.expiresInDays * 86400 } : {}),
        });
        console.log(`Token (shown only now): ${created.token}`);
        console.log('Use it as MLFLOW_TRACKING_TOKEN.');
      },
    );
  tokens
    .command('list')
    .option(...urlOption)
    .action(async (opts: { url?: string }) => {
      print(await (await ApiClient.create(opts.url)).call('GET', `${KILN}/tokens/list`));
    });
  tokens
    .command('revoke <id>')
    .option(...urlOption)
    .action(async (id: string, opts: { url?: string }) => {
      await (await ApiClient.create(opts.url)).call('POST', `${KILN}/tokens/revoke`, { id });
      console.log(`Revoked token ${id}.`);
    });

  program
    .command('grant <permission>')
    .description(
      'Grant READ, EDIT, MANAGE or NO_PERMISSIONS on an experiment or a registered model',
    )
    .option('--user <name>', 'grantee user')
    .option('--group <name>', 'grantee group')
    .option('--experiment <id>', 'experiment id')
    .option('--model <name>', 'registered model name')
    .option(...urlOption)
    .action(
      async (
        permission: string,
        opts: { url?: string; user?: string; group?: string; experiment?: string; model?: string },
      ) => {
        const api = await ApiClient.create(opts.url);
        if (!opts.experiment === !opts.model)
          throw new Error('give exactly one of --experiment or --model');
        if (!opts.user === !opts.group) throw new Error('give exactly one of --user or --group');
        const resource = opts.experiment
          ? { experiment_id: opts.experiment }
          : { name: opts.model };
        if (opts.group) {
          await api.call('POST', `${KILN}/groups/permissions/set`, {
            group: opts.group,
            permission,
            ...resource,
          });
        } else {
          const kind = opts.experiment ? 'experiments' : 'registered-models';
          const body = { username: opts.user, permission, ...resource };
          try {
            await api.call('POST', `${MLFLOW}/${kind}/permissions/create`, body);
          } catch {
            await api.call('PATCH', `${MLFLOW}/${kind}/permissions/update`, body);
          }
        }
        console.log(`Granted ${permission.toUpperCase()}.`);
      },
    );
}
