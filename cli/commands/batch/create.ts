import { Flags } from '@oclif/core';
import { createBatch } from '../../../src/batches/create-batch.ts';
import { OmniCommand } from '../../base.ts';

export default class BatchCreate extends OmniCommand {
  static summary = 'Create a batch job and print its id.';
  static examples = [
    '<%= config.bin %> <%= command.id %> --instance 6f1c… --type media_transcription --items 200',
  ];
  static flags = {
    instance: Flags.string({ summary: 'Instance id (uuid).', required: true }),
    type: Flags.string({ summary: 'Job type, e.g. media_transcription.', required: true }),
    items: Flags.integer({ summary: 'Number of items the batch will process.', min: 0 }),
    running: Flags.boolean({ summary: 'Create it as running (started now).' }),
  };

  async run() {
    const { flags } = await this.parse(BatchCreate);
    const { db } = await this.database();
    const batch = await createBatch(db, {
      instance_id: flags.instance,
      job_type: flags.type,
      total_items: flags.items ?? null,
      status: flags.running ? 'running' : 'pending',
    });
    this.log(batch.id);
    return batch;
  }
}
