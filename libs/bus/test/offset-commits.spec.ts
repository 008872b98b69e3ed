import { OffsetCommits, type PartitionCommit } from '../src/offset-commits';

/** A clock the test moves, with jest's fake timers following it. */
function clock() {
  let at = 0;
  return {
    now: () => at,
    advance: async (ms: number) => {
      at += ms;
      await jest.advanceTimersByTimeAsync(ms);
    },
  };
}

function recorder() {
  const requests: PartitionCommit[][] = [];
  const send = async (commits: PartitionCommit[]) => void requests.push(commits);
  return { requests, send };
}

describe('OffsetCommits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('commits the offsets handled within an interval in one request when it ends', async () => {
    const time = clock();
    const later = recorder();
    const batch = recorder();
    const commits = new OffsetCommits(1_000, later.send, fail, time.now);

    await commits.handled({ topic: 'inbound', partition: 0, offset: '11' }, batch.send, false);
    await time.advance(300);
    await commits.handled({ topic: 'inbound', partition: 3, offset: '7' }, batch.send, false);
    await commits.handled({ topic: 'inbound', partition: 0, offset: '12' }, batch.send, false);
    expect(later.requests).toEqual([]);

    await time.advance(700);
    expect(later.requests).toEqual([
      [
        { topic: 'inbound', partition: 0, offset: '12' },
        { topic: 'inbound', partition: 3, offset: '7' },
      ],
    ]);
    expect(batch.requests).toEqual([]);
  });

  it('commits at once, with everything held, through the batch once the interval has passed', async () => {
    const time = clock();
    const later = recorder();
    const batch = recorder();
    const commits = new OffsetCommits(1_000, later.send, fail, time.now);
    await commits.handled({ topic: 'inbound', partition: 1, offset: '5' }, batch.send, false);
    jest.clearAllTimers(); // a busy event loop: the timer has not run yet
    await time.advance(1_000);

    await commits.handled({ topic: 'routing', partition: 2, offset: '9' }, batch.send, false);

    expect(batch.requests).toEqual([
      [
        { topic: 'inbound', partition: 1, offset: '5' },
        { topic: 'routing', partition: 2, offset: '9' },
      ],
    ]);
    await time.advance(5_000);
    expect(later.requests).toEqual([]);
  });

  it('commits at once when the consumer is stopping', async () => {
    const time = clock();
    const later = recorder();
    const batch = recorder();
    const commits = new OffsetCommits(1_000, later.send, fail, time.now);

    await commits.handled({ topic: 'inbound', partition: 0, offset: '3' }, batch.send, true);

    expect(batch.requests).toEqual([[{ topic: 'inbound', partition: 0, offset: '3' }]]);
  });

  it('keeps what a failed request carried for the next, unless the partition moved on', async () => {
    const time = clock();
    const failures: unknown[] = [];
    let refuse = true;
    const sent: PartitionCommit[][] = [];
    const send = async (commits: PartitionCommit[]) => {
      if (refuse) throw new Error('REQUEST_TIMED_OUT');
      sent.push(commits);
    };
    const commits = new OffsetCommits(1_000, send, (error) => failures.push(error), time.now);
    await commits.handled({ topic: 'inbound', partition: 0, offset: '4' }, send, false);
    await commits.handled({ topic: 'inbound', partition: 1, offset: '8' }, send, false);

    await time.advance(1_000);
    expect(failures).toHaveLength(1);
    refuse = false;
    await commits.handled({ topic: 'inbound', partition: 1, offset: '9' }, send, false);
    await time.advance(1_000);

    expect(sent).toEqual([
      [
        { topic: 'inbound', partition: 0, offset: '4' },
        { topic: 'inbound', partition: 1, offset: '9' },
      ],
    ]);
  });

  it('rejects the batch whose own request failed', async () => {
    const commits = new OffsetCommits(1_000, fail, fail);
    const send = () => Promise.reject(new Error('REBALANCE_IN_PROGRESS'));

    await expect(
      commits.handled({ topic: 'inbound', partition: 0, offset: '3' }, send, true),
    ).rejects.toThrow('REBALANCE_IN_PROGRESS');
  });

  it('forgets the offsets of partitions a rebalance took away', async () => {
    const time = clock();
    const later = recorder();
    const commits = new OffsetCommits(1_000, later.send, fail, time.now);
    await commits.handled({ topic: 'inbound', partition: 0, offset: '4' }, later.send, false);
    await commits.handled({ topic: 'inbound', partition: 5, offset: '6' }, later.send, false);
    await commits.handled({ topic: 'routing', partition: 0, offset: '2' }, later.send, false);

    commits.keepOwned({ inbound: [0, 1, 2] });
    await time.advance(1_000);

    expect(later.requests).toEqual([[{ topic: 'inbound', partition: 0, offset: '4' }]]);
  });

  it('sends nothing once closed, and nothing when nothing is held', async () => {
    const time = clock();
    const later = recorder();
    const commits = new OffsetCommits(1_000, later.send, fail, time.now);
    await commits.flush();
    await commits.handled({ topic: 'inbound', partition: 0, offset: '1' }, later.send, false);

    commits.close();
    await time.advance(5_000);

    expect(later.requests).toEqual([]);
  });
});

async function fail(): Promise<never> {
  throw new Error('not expected to be called');
}
