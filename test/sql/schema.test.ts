import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import pg from 'pg';
import { SQL_DIR } from '../../src/db/migrate.ts';
import { createDb } from '../../src/db/pool.ts';
import { ensureDatabase, withDatabase } from '../../src/db/server.ts';
import { schemaFingerprint, uncommentedObjects } from '../helpers/catalog.ts';
import { freshDatabase, templateDatabase } from '../helpers/db.ts';

test('migrating from zero yields exactly the schema that sql/ describes', async (t) => {
  const migrated = await freshDatabase('schema_migrated');
  const { server } = await templateDatabase();
  const name = `omni_costs_t_from_sql_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await ensureDatabase(server, name);
  const direct = new pg.Client({ connectionString: withDatabase(server, name) });
  await direct.connect();
  for (const file of fs
    .readdirSync(SQL_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    await direct.query(fs.readFileSync(path.join(SQL_DIR, file), 'utf8'));
  }
  await direct.end();
  const fromSql = await createDb(withDatabase(server, name));
  try {
    const a = await schemaFingerprint(migrated.db);
    const b = await schemaFingerprint(fromSql);
    t.true(a.length > 200, 'the fingerprint covers the schema');
    t.deepEqual(
      a.filter((l) => !b.includes(l)),
      [],
      'objects only in the migrated database',
    );
    t.deepEqual(
      b.filter((l) => !a.includes(l)),
      [],
      'objects only in the database built from sql/',
    );
  } finally {
    await fromSql.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await migrated.drop();
  }
});

test('every table, view, column and function carries a COMMENT', async (t) => {
  const d = await freshDatabase('comments');
  try {
    t.deepEqual(await uncommentedObjects(d.db), []);
  } finally {
    await d.drop();
  }
});
