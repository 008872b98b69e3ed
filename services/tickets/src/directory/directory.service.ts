import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  create,
  DirectoryKind,
  directoryKey,
  DirectoryRecordSchema,
  encode,
  messageType,
  Presence,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import {
  DirectoryRepository,
  type DirectoryChange,
  type DirectoryRecord,
} from '../database/directory.repository';
import { StaffingRepository } from '../planning/staffing.repository';
import { CustomerWording } from './customer-wording';

/** A directory entry's payload, as the oneof of DirectoryRecord. */
export type DirectoryPayload = DirectoryRecord['payload'];

const KIND_OF_CASE: Record<NonNullable<DirectoryPayload['case']>, DirectoryKind> = {
  team: DirectoryKind.TEAM,
  agent: DirectoryKind.AGENT,
  skill: DirectoryKind.SKILL,
  calendar: DirectoryKind.CALENDAR,
  slaPolicy: DirectoryKind.SLA_POLICY,
  ruleSet: DirectoryKind.RULE_SET,
  cannedReply: DirectoryKind.CANNED_REPLY,
  customerTexts: DirectoryKind.CUSTOMER_TEXTS,
};

/** The key prefix of a kind, also its name in the directory table: `sla_policy`. */
export const kindName = (kind: DirectoryKind) => directoryKey(kind, '').slice(0, -1);

/**
 * Saves directory entries with a version one above the last, keeps each version in the directory's
 * history, and publishes it on the compacted `support.directory.v1` through the outbox, all in the
 * same transaction.
 */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly directory: DirectoryRepository,
    private readonly staffing: StaffingRepository,
    private readonly wording: CustomerWording,
  ) {}

  async save(
    id: string,
    payload: DirectoryPayload,
    change: DirectoryChange = {},
  ): Promise<DirectoryRecord> {
    const record = await this.dataSource.transaction((manager) =>
      this.saveIn(manager, id, payload, change),
    );
    this.relay.nudge();
    if (payload.case === 'customerTexts') this.wording.forget();
    return record;
  }

  async saveIn(
    manager: EntityManager,
    id: string,
    payload: DirectoryPayload,
    change: DirectoryChange = {},
  ): Promise<DirectoryRecord> {
    if (!payload.case) throw new Error('a directory entry needs a payload');
    const kind = KIND_OF_CASE[payload.case];
    const version = (await this.directory.lockVersion(manager, kindName(kind), id)) + 1;
    if (payload.case === 'ruleSet') payload.value.version = version;
    const updatedAt = new Date();
    const record = create(DirectoryRecordSchema, {
      kind,
      id,
      version,
      updatedAt: timestampFromDate(updatedAt),
      payload,
    });
    await this.directory.save(manager, kindName(kind), record);
    await this.directory.recordHistory(manager, kindName(kind), record, change);
    if (payload.case === 'agent') {
      // The directory keeps only the present; the staffing planner needs who was online when.
      const agent = payload.value;
      await this.staffing.recordPresence(manager, {
        agentId: id,
        online: agent.active && agent.presence === Presence.ONLINE,
        teamIds: agent.teamIds,
        at: updatedAt,
      });
    }
    await enqueueOutbox(manager, [
      {
        topic: TOPICS.directory.name,
        key: directoryKey(kind, id),
        value: encode(DirectoryRecordSchema, record),
        headers: {
          messageId: `${directoryKey(kind, id)}@${version}`,
          type: messageType(DirectoryRecordSchema),
        },
      },
    ]);
    return record;
  }
}
