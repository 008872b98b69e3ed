import { GatheredCommits } from '../src/gathered-commits';

type Offsets = {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
};

describe('GatheredCommits', () => {
  it('sends the commits of partitions finishing together as one request, each asker waiting for it', async () => {
    const requests: Offsets[] = [];
    const send = jest.fn(async (offsets?: Offsets) => {
      requests.push(offsets!);
    });
    const commits = new GatheredCommits();

    await Promise.all([
      commits.commit(send, { topic: 'inbound', partition: 0, offset: '11' }),
      commits.commit(send, { topic: 'inbound', partition: 3, offset: '7' }),
      commits.commit(send, { topic: 'directory', partition: 0, offset: '2' }),
    ]);

    expect(requests).toEqual([
      {
        topics: [
          {
            topic: 'inbound',
            partitions: [
              { partition: 0, offset: '11' },
              { partition: 3, offset: '7' },
            ],
          },
          { topic: 'directory', partitions: [{ partition: 0, offset: '2' }] },
        ],
      },
    ]);
  });

  it('commits the offset a partition asked for last within the request', async () => {
    const requests: Offsets[] = [];
    const commits = new GatheredCommits();
    const send = async (offsets?: Offsets) => void requests.push(offsets!);

    await Promise.all([
      commits.commit(send, { topic: 'inbound', partition: 1, offset: '5' }),
      commits.commit(send, { topic: 'inbound', partition: 1, offset: '9' }),
    ]);

    expect(requests).toEqual([
      { topics: [{ topic: 'inbound', partitions: [{ partition: 1, offset: '9' }] }] },
    ]);
  });

  it('sends commits asked for after a request left in a request of their own', async () => {
    const requests: Offsets[] = [];
    const commits = new GatheredCommits();
    const send = async (offsets?: Offsets) => void requests.push(offsets!);

    await commits.commit(send, { topic: 'inbound', partition: 0, offset: '1' });
    await commits.commit(send, { topic: 'inbound', partition: 0, offset: '2' });

    expect(requests.map(({ topics }) => topics[0].partitions[0].offset)).toEqual(['1', '2']);
  });

  it('fails every asker when the request fails, so none reads on past an uncommitted offset', async () => {
    const commits = new GatheredCommits();
    const send = () => Promise.reject(new Error('REBALANCE_IN_PROGRESS'));

    const outcomes = await Promise.allSettled([
      commits.commit(send, { topic: 'inbound', partition: 0, offset: '3' }),
      commits.commit(send, { topic: 'inbound', partition: 1, offset: '4' }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
