import type { EachBatchPayload } from 'kafkajs';

type CommitOffsets = EachBatchPayload['commitOffsetsIfNecessary'];

/** The offset to commit for one partition: that of the next record to read. */
export interface PartitionCommit {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A group's offset commits asked for in the same turn of the event loop, sent as one request.
 * The partitions of one fetch are handled side by side and, when gathered into one delivery,
 * finish together: one OffsetCommit for the fetch instead of one per partition, each a round trip
 * that costs the broker and the service as much as one carrying a dozen records. Every asker
 * still waits for its commit, so nothing is committed later than before.
 */
export class GatheredCommits {
  private open?: { commits: Map<string, PartitionCommit>; sent: Promise<void> };

  /** `send` is the asking batch's own; the first asker's sends the request. */
  commit(send: CommitOffsets, commit: PartitionCommit): Promise<void> {
    let open = this.open;
    if (!open) {
      const commits = new Map<string, PartitionCommit>();
      const sent = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.open = undefined;
        return send({ topics: byTopic([...commits.values()]) });
      });
      open = this.open = { commits, sent };
    }
    open.commits.set(`${commit.topic}/${commit.partition}`, commit);
    return open.sent;
  }
}

function byTopic(commits: PartitionCommit[]) {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, offset } of commits) {
    const partitions = topics.get(topic) ?? [];
    topics.set(topic, partitions);
    partitions.push({ partition, offset });
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
