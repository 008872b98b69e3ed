import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  DirectoryKind,
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
 * more capacity), or the agents of a team whose default chat capacity did, may take queued work
 * at once.
 */
@Injectable()
export class DirectoryConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly settings: RouterSettings,
  ) {}

  @Consume({ topic: TOPICS.directory, check: directoryProblem })
  async apply(messages: Array<Received<DirectoryRecord | null>>): Promise<void> {
    let assigned = 0;
    await this.dataSource.transaction(async (manager) => {
      for (const { record: delivered, message: record } of messages) {
        if (!(await claimMessage(manager, 'router.directory', delivered.headers.messageId))) {
          continue;
        }
        const now = new Date();
        if (!record) {
          const { kind, id } = parseDirectoryKey(delivered.key);
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
        if (!(await applyDirectoryRecord(manager, record))) continue;
        if (record.payload.case === 'team') {
          // A higher default chat capacity may make room for chats waiting in the team's queue.
          assigned += await drainAndAnnounce(manager, [record.id], now);
        } else if (record.payload.case === 'agent') {
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

/** Refused here rather than failing every message routed by it later; the last good version stays. */
function directoryProblem(record: DirectoryRecord): string | undefined {
  const problem = record.payload.case === 'calendar' && calendarProblem(record.payload.value);
  return problem ? `calendar ${record.id}: ${problem}` : undefined;
}
