import { Inject, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InProcessBus } from '../src/in-process-bus';
import { silentLogger } from '../src/logger';
import { BusModule, MESSAGE_BUS } from '../src/nest/bus.module';
import {
  create,
  DirectoryKind,
  DirectoryRecordSchema,
  directoryKey,
  encode,
  messageType,
  RoutingDecisionSchema,
  TOPICS,
  type DirectoryRecord,
  type RoutingDecision,
} from '@firstline/contracts';
import { Consume } from '../src/nest/consume.decorator';
import {
  DEAD_LETTER_HEADER,
  DEAD_LETTER_TOPIC,
  type DeliveredMessage,
  type HandledInfo,
  type MessageBus,
  type OutgoingMessage,
} from '../src/port';
import type { Received } from '../src/typed';
import { collector, eventually, seqOf, sequenced, sleep } from './support/collect';

const ROUTING = 'support.routing.v1';
const TICKET_EVENTS = 'support.ticket-events.v1';

@Injectable()
class RoutingDecisions {
  readonly received: DeliveredMessage[] = [];

  constructor(@Inject(MESSAGE_BUS) readonly bus: MessageBus) {}

  @Consume({ topics: [ROUTING], maxBatchSize: 10 })
  async record(messages: DeliveredMessage[]): Promise<void> {
    this.received.push(...messages);
  }
}

@Injectable()
class Escalations {
  readonly received: DeliveredMessage[] = [];

  @Consume({ topics: [TICKET_EVENTS], group: 'escalations' })
  async check(messages: DeliveredMessage[]): Promise<void> {
    this.received.push(...messages);
  }
}

async function tickets(
  bus: MessageBus,
  options: { ownsBus?: boolean; onHandled?: (info: HandledInfo) => void } = {},
) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      BusModule.forRoot({
        bus,
        topics: [
          { topic: ROUTING, partitions: 2 },
          { topic: TICKET_EVENTS, partitions: 2 },
        ],
        defaultGroup: 'tickets',
        ...options,
      }),
    ],
    providers: [RoutingDecisions, Escalations],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('BusModule', () => {
  it('provides the bus and runs every @Consume method under its group', async () => {
    const bus = new InProcessBus({ logger: silentLogger });
    const handled: HandledInfo[] = [];
    const app = await tickets(bus, { onHandled: (info) => handled.push(info) });
    const decisions = app.get(RoutingDecisions);
    const escalations = app.get(Escalations);
    expect(decisions.bus).toBe(bus);

    await bus.publish(Array.from({ length: 25 }, (_, seq) => sequenced(ROUTING, 'ticket-1', seq)));
    await bus.publish([sequenced(TICKET_EVENTS, 'ticket-1', 0)]);
    await eventually(
      () => decisions.received.length === 25 && escalations.received.length === 1,
      'both consumers',
    );

    expect(decisions.received.map(seqOf)).toEqual(Array.from({ length: 25 }, (_, seq) => seq));
    expect(new Set(handled.map((info) => `${info.group} ${info.topic}`))).toEqual(
      new Set([`tickets ${ROUTING}`, `escalations ${TICKET_EVENTS}`]),
    );
    expect(Math.max(...handled.map((info) => info.count))).toBeLessThanOrEqual(10);

    await app.close();
    await bus.publish([sequenced(ROUTING, 'ticket-1', 25)]);
    await sleep(50);
    expect(decisions.received).toHaveLength(25);
  });

  it('on a shared bus, stops only its own consumers when the application closes', async () => {
    const bus = new InProcessBus({ logger: silentLogger });
    const app = await tickets(bus, { ownsBus: false });
    const router = collector();
    await bus.subscribe({ group: 'router', topics: [ROUTING], handler: router.handler });

    await app.close();
    await bus.publish([sequenced(ROUTING, 'ticket-1', 0)]);
    await router.until(1);
    expect(app.get(RoutingDecisions).received).toHaveLength(0);
    await bus.stop();
  });

  it('refuses to start a consumer without a group', async () => {
    @Injectable()
    class Orphan {
      @Consume({ topics: [ROUTING] })
      async handle(): Promise<void> {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        BusModule.forRoot({ bus: new InProcessBus(), topics: [{ topic: ROUTING, partitions: 1 }] }),
      ],
      providers: [Orphan],
    }).compile();

    await expect(moduleRef.init()).rejects.toThrow(
      '@Consume on Orphan.handle names no group, and BusModule.forRoot has no defaultGroup',
    );
  });

  it('hands a topic consumer decoded messages and dead-letters what is not one', async () => {
    @Injectable()
    class Decisions {
      readonly received: Array<Received<RoutingDecision>> = [];

      @Consume({
        topic: TOPICS.routing,
        check: (decision) => (decision.ticketId ? undefined : 'it names no ticket'),
      })
      async handle(messages: Array<Received<RoutingDecision>>): Promise<void> {
        this.received.push(...messages);
      }
    }
    const bus = new InProcessBus({ logger: silentLogger });
    const deadLetters = collector();
    await bus.subscribe({
      group: 'dlq',
      topics: [DEAD_LETTER_TOPIC],
      handler: deadLetters.handler,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        BusModule.forRoot({
          bus,
          topics: [{ topic: TOPICS.routing.name, partitions: 1 }],
          defaultGroup: 'tickets',
        }),
      ],
      providers: [Decisions],
    }).compile();
    await moduleRef.init();

    const decision = (ticketId: string) =>
      decisionRecord(create(RoutingDecisionSchema, { ticketId, conversationKey: 'telegram:1:2' }));
    await bus.publish([
      decision('ticket-1'),
      { ...decision('ticket-2'), headers: { messageId: 'wrong-type', type: 'firstline.v1.Other' } },
      {
        ...decision('ticket-3'),
        value: Buffer.from([0xff, 0xff, 0xff]),
        headers: { messageId: 'garbage', type: messageType(RoutingDecisionSchema) },
      },
      {
        ...decision(''),
        headers: { messageId: 'no-ticket', type: messageType(RoutingDecisionSchema) },
      },
      decision('ticket-4'),
    ]);
    const decisions = moduleRef.get(Decisions);
    await deadLetters.until(3);
    await eventually(() => decisions.received.length === 2, 'the two decisions');

    expect(decisions.received.map(({ message }) => message.ticketId)).toEqual([
      'ticket-1',
      'ticket-4',
    ]);
    expect(decisions.received.map(({ record }) => record.offset)).toEqual(['0', '4']);
    expect(decisions.received[0].record.headers.messageId).toBe('decision:ticket-1');
    expect(
      Object.fromEntries(
        deadLetters.messages.map((message) => [
          message.headers.messageId,
          message.extraHeaders[DEAD_LETTER_HEADER.error],
        ]),
      ),
    ).toEqual({
      'wrong-type': `BadInputError: expected a firstline.v1.RoutingDecision on ${TOPICS.routing.name}, got type "firstline.v1.Other"`,
      garbage: 'BadInputError: firstline.v1.RoutingDecision garbage does not decode',
      'no-ticket': 'BadInputError: firstline.v1.RoutingDecision no-ticket: it names no ticket',
    });
    await moduleRef.close();
  });

  it('hands a tombstone of a compacted topic over as a null message with its key', async () => {
    @Injectable()
    class Directory {
      readonly received: Array<Received<DirectoryRecord | null>> = [];

      @Consume({ topic: TOPICS.directory })
      async handle(messages: Array<Received<DirectoryRecord | null>>): Promise<void> {
        this.received.push(...messages);
      }
    }
    const bus = new InProcessBus({ logger: silentLogger });
    const moduleRef = await Test.createTestingModule({
      imports: [
        BusModule.forRoot({
          bus,
          topics: [{ topic: TOPICS.directory.name, partitions: 1, compacted: true }],
          defaultGroup: 'router',
        }),
      ],
      providers: [Directory],
    }).compile();
    await moduleRef.init();

    const team = create(DirectoryRecordSchema, {
      kind: DirectoryKind.TEAM,
      id: 'billing',
      version: 1,
    });
    const key = directoryKey(DirectoryKind.TEAM, 'billing');
    await bus.publish([
      {
        topic: TOPICS.directory.name,
        key,
        value: encode(DirectoryRecordSchema, team),
        headers: { messageId: 'team:billing:1', type: messageType(DirectoryRecordSchema) },
      },
      {
        topic: TOPICS.directory.name,
        key,
        value: new Uint8Array(),
        headers: { messageId: 'team:billing:deleted', type: messageType(DirectoryRecordSchema) },
      },
    ]);
    const directory = moduleRef.get(Directory);
    await eventually(() => directory.received.length === 2, 'the entry and its tombstone');

    expect(directory.received[0].message?.id).toBe('billing');
    expect(directory.received[1].message).toBeNull();
    expect(directory.received[1].record.key).toBe(key);
    await moduleRef.close();
  });
});

function decisionRecord(decision: RoutingDecision): OutgoingMessage {
  return {
    topic: TOPICS.routing.name,
    key: TOPICS.routing.key(decision),
    value: encode(RoutingDecisionSchema, decision),
    headers: {
      messageId: `decision:${decision.ticketId}`,
      type: messageType(RoutingDecisionSchema),
    },
  };
}
