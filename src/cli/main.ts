import { Command } from 'commander';
import { ConfigError, loadConfig } from 'src/config/kiln-config';
import { startServer } from 'src/server';
import { KILN_VERSION } from 'src/version';
import { CliError } from './api-client';
import { registerAuthCommands } from './auth-commands';

const program = new Command('kiln')
  .description('Kiln: a team ML lifecycle platform, wire-compatible with MLflow')
  .version(KILN_VERSION);

program
  .command('server')
  .description('Run the tracking server (embedded PostgreSQL when DATABASE_URL is unset)')
  .option('--host <host>', 'address to listen on (KILN_HOST)')
  .option('--port <port>', 'port to listen on (PORT)', (v) => Number.parseInt(v, 10))
  .option('--no-auth', 'single-user server without authentication (KILN_AUTH=off)')
  .action(async (opts: { host?: string; port?: number; auth: boolean }) => {
    const env = opts.auth ? process.env : { ...process.env, KILN_AUTH: 'off' };
    const config = loadConfig(env, {
      ...(opts.host ? { host: opts.host } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
    });
    const server = await startServer(config);
    // Stop cleanly on SIGTERM/SIGINT: finish requests, close the database, then exit even if a
    // library left a timer behind.
    const stop = () => {
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

registerAuthCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof CliError) {
    console.error(`kiln: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
