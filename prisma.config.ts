import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { migrationAdapter } from './prisma/cli-adapter';

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set for Prisma CLI commands');
    return migrationAdapter(url);
  },
});
