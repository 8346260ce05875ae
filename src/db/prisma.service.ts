import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { PrismaClient } from 'src/generated/prisma/client';

/** What a hot-path query runs on: the pool, or one client inside a transaction. */
export interface Queryable {
  rows<T extends QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
}

/**
 * The Prisma client over the pg driver adapter (no query-engine binary), and the same pg pool
 * for hot paths. Prisma 6's JavaScript query compiler costs ~2 ms of CPU per typed query, so
 * the per-request paths (logging, run reads, searches, credential checks) use parameterised SQL
 * on the pool (~0.3 ms), while cold paths keep Prisma's typed API.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy, Queryable {
  readonly pool: Pool;
  private readonly logger = new Logger('Database');

  constructor(databaseUrl: string) {
    // Doubles are read as text: shortest exact output, whatever a role or pooler defaults to, so
    // metric values (and the search's keyset positions) round-trip exactly.
    const pool = new Pool({
      connectionString: databaseUrl,
      max: 20,
      options: '-c extra_float_digits=1',
    });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
    // An idle connection the server closed (restart, failover) is replaced on next use; it must
    // not crash the process as an unhandled 'error' event would.
    pool.on('error', (err) => this.logger.warn({ err }, 'idle database connection lost'));
  }

  async rows<T extends QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, values)).rows;
  }

  /** Runs `work` in one transaction on one connection; any error rolls it back. */
  async transaction<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        rows: async <R extends QueryResultRow>(text: string, values: unknown[] = []) =>
          (await client.query<R>(text, values)).rows,
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}
