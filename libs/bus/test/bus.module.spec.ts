import { Inject, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InProcessBus } from '../src/in-process-bus';
import { silentLogger } from '../src/logger';
import { BusModule, MESSAGE_BUS } from '../src/nest/bus.module';
import { Consume } from '../src/nest/consume.decorator';
import type { DeliveredMessage, HandledInfo, MessageBus } from '../src/port';
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
});
