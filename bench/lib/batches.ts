// Batch jobs for the benchmark, created through the project's createBatch().
import type { CommonQueryMethods } from 'slonik';
import { createBatch } from '../../src/batches/create-batch.ts';
import { INSTANCES } from './fixtures.ts';

export async function createBatches(db: CommonQueryMethods, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = await createBatch(db, {
      instance_id: INSTANCES[i % INSTANCES.length],
      job_type: 'bench',
      status: 'running',
    });
    ids.push(b.id);
  }
  return ids;
}
