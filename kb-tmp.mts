import { openStore, migrateToLatest } from './src/db/index.ts';
import { CompiledQuery } from 'kysely';
const store = openStore('sqlite:/tmp/plan/kb.db');
await migrateToLatest(store.db);
const db = store.db;
const N = 20000;
for (let round = 0; round < 3; round++) {
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await db.selectFrom('tenants').selectAll().where('id', '=', 'x' + (i % 10)).executeTakeFirst();
  const a = Number(process.hrtime.bigint() - t) / N / 1000;
  const compiled = db.selectFrom('tenants').selectAll().where('id', '=', 'x').compile();
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await db.executeQuery(CompiledQuery.raw(compiled.sql, ['x' + (i % 10)]));
  const b = Number(process.hrtime.bigint() - t) / N / 1000;
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) db.selectFrom('tenants').selectAll().where('id', '=', 'x' + (i % 10)).compile();
  const c = Number(process.hrtime.bigint() - t) / N / 1000;
  console.log(`builder+compile+exec ${a.toFixed(1)} us; precompiled exec ${b.toFixed(1)} us; builder+compile only ${c.toFixed(1)} us`);
}
await store.close();
