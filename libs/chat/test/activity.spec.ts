import { Channel, DeliveryStatus, timestampFromDate } from '@firstline/contracts';
import {
  agentReadActivity,
  readMessage,
  readReceipt,
  TYPING_SECONDS,
  typingActivity,
  typingUntil,
} from '../src';

const visitorId = '3f2b8c1e-7d4a-4e2f-9b6c-0a1d2e3f4a5b';
const at = new Date('2026-03-02T10:15:00Z');
const seconds = (n: number) => new Date(at.getTime() + n * 1000);

describe('typing', () => {
  const agent = typingActivity({
    activityId: 'a-1',
    conversationKey: `chat:${visitorId}`,
    ticketId: 't-1',
    byVisitor: false,
    displayName: 'Ann',
    at,
  });

  it('names the agent by first name and lasts TYPING_SECONDS', () => {
    expect(agent.details).toEqual({
      case: 'typing',
      value: expect.objectContaining({ byVisitor: false, displayName: 'Ann', seconds: 6 }),
    });
    expect(typingUntil(agent, seconds(1))).toEqual(seconds(TYPING_SECONDS));
    expect(typingUntil(agent, seconds(TYPING_SECONDS))).toBeUndefined();
  });

  it('never names the visitor', () => {
    const visitor = typingActivity({
      activityId: 'a-2',
      conversationKey: `chat:${visitorId}`,
      byVisitor: true,
      displayName: 'someone',
      at,
    });
    expect(visitor.details.case === 'typing' && visitor.details.value.displayName).toBe('');
  });

  it('does not outlast its length from now when the sender’s clock runs ahead', () => {
    const ahead = { ...agent, occurredAt: timestampFromDate(seconds(60)) };
    expect(typingUntil(ahead, at)).toEqual(seconds(TYPING_SECONDS));
  });

  it('is no cue when it is a read mark', () => {
    const read = agentReadActivity({
      activityId: 'a-3',
      ticketId: 't-1',
      messageId: `chat:${visitorId}:c-1`,
      at,
    });
    expect(typingUntil(read, at)).toBeUndefined();
  });
});

describe('an agent’s read mark', () => {
  it('names the conversation of the message it read up to', () => {
    const read = agentReadActivity({
      activityId: 'a-3',
      ticketId: 't-1',
      messageId: `chat:${visitorId}:c-1`,
      at,
    });
    expect(read.conversationKey).toBe(`chat:${visitorId}`);
    expect(read.details).toEqual({
      case: 'agentRead',
      value: expect.objectContaining({ messageId: `chat:${visitorId}:c-1` }),
    });
  });

  it('is refused for a message of another channel', () => {
    expect(() =>
      agentReadActivity({ activityId: 'a', ticketId: 't', messageId: 'email:<x@y>', at }),
    ).toThrow(RangeError);
  });

  it('reads a chat message id back into visitor and client id', () => {
    expect(readMessage(`chat:${visitorId}:c-1`)).toEqual({ visitorId, clientMessageId: 'c-1' });
    expect(readMessage(`chat:${visitorId}`)).toBeUndefined();
    expect(readMessage(`chat:not-a-visitor:c-1`)).toBeUndefined();
    expect(readMessage(`chat:${visitorId}:bad id`)).toBeUndefined();
  });
});

describe('the visitor’s read receipt', () => {
  it('is one per reply, READ, on the chat channel', () => {
    const receipt = readReceipt(
      { outboundId: 'out-1', ticketId: 't-1', channelMessageId: `chat:${visitorId}#4` },
      at,
    );
    expect(receipt).toMatchObject({
      receiptId: 'out-1:READ',
      outboundId: 'out-1',
      ticketId: 't-1',
      channel: Channel.CHAT,
      status: DeliveryStatus.READ,
      channelMessageId: `chat:${visitorId}#4`,
    });
  });
});
