import { Args, Flags } from '@oclif/core';
import { messageCosts } from '../../../src/reporting/message-costs.ts';
import { assertUuid } from '../../../src/reporting/period.ts';
import { OmniCommand } from '../../base.ts';
import { renderMessageCosts } from '../../render/message-text.ts';

export default class CostsMessage extends OmniCommand {
  static summary = 'Every provider call behind one message, with its cost.';
  static examples = [
    '<%= config.bin %> <%= command.id %> msg_01HZX…',
    '<%= config.bin %> <%= command.id %> msg_01HZX… --json',
  ];
  static args = {
    id: Args.string({ description: 'Message id, as recorded on the usage rows.', required: true }),
  };
  static flags = { instance: Flags.string({ summary: 'Only calls of this instance (uuid).' }) };

  async run() {
    const { args, flags } = await this.parse(CostsMessage);
    assertUuid('--instance', flags.instance);
    const { db } = await this.database();
    const result = await messageCosts(db, args.id, flags.instance ?? null);
    this.log(renderMessageCosts(result));
    return result;
  }
}
