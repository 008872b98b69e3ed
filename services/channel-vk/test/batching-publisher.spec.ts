import type { OutgoingMessage } from '@firstline/bus';
import { BatchingPublisher } from '../src/batching-publisher';

const record = (id: string): OutgoingMessage => ({
  topic: 't',
  key: id,
  value: new Uint8Array(),
  headers: { messageId: id, type: 'test' },
});

/** A bus whose publishes finish when the test says so. */
function slowBus() {
  const calls: Array<{ ids: string[]; finish: (error?: Error) => void }> = [];
  return {
    calls,
    publish: (messages: OutgoingMessage[]) =>
      new Promise<void>((resolve, reject) =>
        calls.push({
          ids: messages.map((m) => m.headers.messageId),
          finish: (error) => (error ? reject(error) : resolve()),
        }),
      ),
  };
}

describe('BatchingPublisher', () => {
  it('sends what callers publish while a publish is in flight together in the next one', async () => {
    const bus = slowBus();
    const publisher = new BatchingPublisher(bus);
    const first = publisher.publish([record('a')]);
    const second = publisher.publish([record('b')]);
    const third = publisher.publish([record('c'), record('d')]);
    expect(bus.calls.map((call) => call.ids)).toEqual([['a']]);
    bus.calls[0].finish();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(bus.calls.map((call) => call.ids)).toEqual([['a'], ['b', 'c', 'd']]);
    bus.calls[1].finish();
    await expect(Promise.all([second, third])).resolves.toBeDefined();
  });

  it('fails every caller whose records were in a failed publish, and goes on with the next', async () => {
    const bus = slowBus();
    const publisher = new BatchingPublisher(bus);
    const first = publisher.publish([record('a')]);
    const second = publisher.publish([record('b')]);
    bus.calls[0].finish(new Error('broker down'));
    await expect(first).rejects.toThrow('broker down');
    await new Promise((resolve) => setImmediate(resolve));
    bus.calls[1].finish();
    await expect(second).resolves.toBeUndefined();
  });
});
