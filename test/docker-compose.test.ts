import fs from 'node:fs';
import test from 'ava';
import { parse } from 'yaml';

test('docker-compose.yml runs PostgreSQL and an omni worker that waits for it and migrates first', (t) => {
  const doc = parse(fs.readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'));
  t.deepEqual(Object.keys(doc.services).sort(), ['postgres', 'worker']);
  t.regex(doc.services.postgres.image, /^postgres:1[3-9]/);
  const worker = doc.services.worker;
  t.regex(worker.environment.DATABASE_URL, /@postgres:5432\//);
  t.is(worker.depends_on.postgres.condition, 'service_healthy');
  const command = worker.command.join(' ');
  t.true(command.indexOf('omni db migrate') < command.indexOf('omni worker'));
  t.truthy(doc.services.postgres.healthcheck);
});
