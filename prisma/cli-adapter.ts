// The driver adapter that Prisma's CLI (migrate deploy/dev, db pull) uses with the JavaScript
// schema engine. The application's own client uses the plain PrismaPg adapter; this one works
// around defects that only migrations hit (see ../shared/PRISMA-OFFLINE.md):
//  - prisma/orm#27403: the pg adapter cannot map columns of type `name` (OID 19) and `"char"`
//    (OID 18), which the schema engine reads from the catalogs; they are reported as text.
//  - a shadow database given by connection string would connect to the main database, so the
//    connection is described by separate fields;
//  - the shadow database is dropped WITH (FORCE) because the engine's pool may still hold it.
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { Pool, type PoolConfig, type QueryResult } from 'pg';
import { parse } from 'pg-connection-string';

const CATALOG_TEXT_OIDS = new Set([18, 19]);
const TEXT_OID = 25;

class CatalogSafePool extends Pool {
  constructor(config: PoolConfig) {
    super(config);
    // Idle clients of a dropped shadow database are terminated by the server; that is expected.
    this.on('error', (err: Error & { code?: string }) => {
      if (err.code !== '57P01') throw err;
    });
  }

  // pg's overloads make a typed override impractical; the result is only post-processed.
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => Promise<QueryResult>)(...args);
    return result.then((res) => {
      for (const field of res.fields ?? []) {
        if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
      }
      return res;
    }) as never;
  }
}

function poolConfig(url: string, database?: string): PoolConfig {
  const parsed = parse(url);
  return {
    host: parsed.host ?? undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.user,
    password: parsed.password,
    database: database ?? parsed.database ?? undefined,
  };
}

export function migrationAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const main = new PrismaPg(new CatalogSafePool(poolConfig(url)));
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb() {
      const admin = await main.connect();
      const database = `prisma_shadow_${crypto.randomUUID().replace(/-/g, '')}`;
      await admin.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = await new PrismaPg(new CatalogSafePool(poolConfig(url, database))).connect();
      const disposeShadow = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await disposeShadow();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await admin.dispose();
      };
      return shadow;
    },
  };
}
