import { BadInputError } from '@firstline/errors';
import { deadLetterRecord } from '../src/dead-letter';
import { DEAD_LETTER_HEADER, DEAD_LETTER_TOPIC } from '../src/port';

describe('deadLetterRecord', () => {
  it('keeps a platform payload as it came and says where it came from and why it failed', () => {
    const update = Buffer.from('{"update_id":42,"message":{"contact":{}}}');
    const record = deadLetterRecord({
      key: 'telegram:support_bot',
      value: update,
      headers: { messageId: 'telegram:support_bot:update:42', type: 'telegram.Update' },
      source: 'telegram:support_bot',
      error: new BadInputError('a contact without a phone number'),
      attempts: 1,
    });

    expect(record).toEqual({
      topic: DEAD_LETTER_TOPIC,
      key: 'telegram:support_bot',
      value: update,
      headers: { messageId: 'telegram:support_bot:update:42', type: 'telegram.Update' },
      extraHeaders: {
        [DEAD_LETTER_HEADER.error]: 'BadInputError: a contact without a phone number',
        [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
        [DEAD_LETTER_HEADER.sourceTopic]: 'telegram:support_bot',
        [DEAD_LETTER_HEADER.attempts]: '1',
      },
    });
  });

  it('adds the position and the group that gave up for a record of the bus', () => {
    const record = deadLetterRecord(
      {
        key: 'ticket-1',
        value: new Uint8Array([1]),
        headers: { messageId: 'decision-1', type: 'firstline.v1.RoutingDecision' },
        extraHeaders: { 'x-channel': 'vk' },
        source: 'support.routing.v1',
        position: { partition: 3, offset: '17', group: 'tickets' },
        error: new Error('connection reset'),
        attempts: 5,
      },
      'support.dlq.test',
    );

    expect(record.topic).toBe('support.dlq.test');
    expect(record.extraHeaders).toEqual({
      'x-channel': 'vk',
      [DEAD_LETTER_HEADER.error]: 'connection reset',
      [DEAD_LETTER_HEADER.errorKind]: 'retryable',
      [DEAD_LETTER_HEADER.sourceTopic]: 'support.routing.v1',
      [DEAD_LETTER_HEADER.sourcePartition]: '3',
      [DEAD_LETTER_HEADER.sourceOffset]: '17',
      [DEAD_LETTER_HEADER.group]: 'tickets',
      [DEAD_LETTER_HEADER.attempts]: '5',
    });
  });
});
