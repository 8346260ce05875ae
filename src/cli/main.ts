import { Command } from 'commander';
import { ConfigError, loadConfig } from 'src/config/kiln-config';
import { startServer } from 'src/server';
import { KILN_VERSION } from 'src/version';

const program = new Command('kiln')
  .description('Kiln: a team ML lifecycle platform, wire-compatible with MLflow')
  .version(KILN_VERSION);

program
  .command('server')
  .description('Run the tracking server (embedded PostgreSQL when DATABASE_URL is unset)')
  .option('--host <host>', 'address to listen on (KILN_HOST)')
  .option('--port <port>', 'port to listen on (PORT)', (v) => Number.parseInt(v, 10))
  .action(async (opts: { host?: string; port?: number }) => {
    const config = loadConfig(process.env, {
      ...(opts.host ? { host: opts.host } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
    });
    await startServer(config);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`kiln: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
