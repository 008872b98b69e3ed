import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import {
  decode,
  DirectoryKind,
  DirectoryRecordSchema,
  Presence,
  parseDirectoryKey,
  TOPICS,
  type DirectoryRecord,
} from '@firstline/contracts';
import { claimMessage, OutboxRelay } from '@firstline/persistence';
import { calendarProblem } from '@firstline/routing';
import { applyDirectoryRecord, removeDirectoryEntry } from './directory.store';
import { RouterSettings } from './router-settings';
import { drainAndAnnounce } from './sweeper';
import { cancelAgentAway, scheduleAgentAway } from './timers.store';

/**
 * Keeps the router's snapshot of the directory. An agent whose record changed (coming online,
 * more capacity) may take queued work at once.
 */
@Injectable()
export class DirectoryConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly settings: RouterSettings,
  ) {}

  @Consume({ topics: [TOPICS.directory.name] })
  async apply(messages: DeliveredMessage[]): Promise<void> {
    let assigned = 0;
    await this.dataSource.transaction(async (manager) => {
      for (const message of messages) {
        if (!(await claimMessage(manager, 'router.directory', message.headers.messageId))) continue;
        const now = new Date();
        if (message.value.length === 0) {
          const { kind, id } = parseDirectoryKey(message.key);
          await removeDirectoryEntry(manager, kind, id);
          if (kind === DirectoryKind.AGENT) {
            await scheduleAgentAway(
              manager,
              id,
              new Date(now.getTime() + this.settings.awayGraceMs),
            );
          }
          continue;
        }
        const record = parse(message);
        if (!(await applyDirectoryRecord(manager, record))) continue;
        if (record.payload.case === 'agent') {
          const agent = record.payload.value;
          if (agent.active && agent.presence === Presence.ONLINE) {
            await cancelAgentAway(manager, agent.id);
            assigned += await drainAndAnnounce(manager, agent.teamIds, now);
          } else {
            await scheduleAgentAway(
              manager,
              agent.id,
              new Date(now.getTime() + this.settings.awayGraceMs),
            );
          }
        }
      }
    });
    if (assigned > 0) this.relay.nudge();
  }
}

function parse(message: DeliveredMessage): DirectoryRecord {
  let record: DirectoryRecord;
  try {
    record = decode(DirectoryRecordSchema, message.value);
  } catch (error) {
    throw new BadInputError(`directory record ${message.key} is not valid protobuf`, {
      cause: error,
    });
  }
  // Refused here rather than failing every message routed by it later; the last good version stays.
  const problem = record.payload.case === 'calendar' && calendarProblem(record.payload.value);
  if (problem) throw new BadInputError(`calendar ${record.id}: ${problem}`);
  return record;
}
