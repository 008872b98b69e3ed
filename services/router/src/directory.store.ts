import type { EntityManager } from 'typeorm';
import {
  decode,
  encode,
  DirectoryKind,
  DirectoryRecordSchema,
  Presence,
  type Agent,
  type DirectoryRecord,
  type Team,
} from '@firstline/contracts';
import {
  customerLanguage,
  DEFAULT_RULE_SET,
  type BusinessCalendar,
  type CustomerTextOverrides,
  type CustomerTextsByLanguage,
  type RuleSet,
  type SlaPolicy,
} from '@firstline/routing';

/** What routing a message needs from the directory, read once per batch. */
export interface RoutingPolicies {
  ruleSet: RuleSet;
  slaPolicies: SlaPolicy[];
  teams: Map<string, Team>;
  calendars: Map<string, BusinessCalendar>;
  /** The admins' wording of automatic replies per language. */
  customerTexts: CustomerTextsByLanguage;
}

/**
 * Stores a directory record unless an equal or newer version is held. Agents go to their own
 * table, whose rows the assignment locks; everything else is kept as the record itself.
 * Returns false for a stale record.
 */
export async function applyDirectoryRecord(
  manager: EntityManager,
  record: DirectoryRecord,
): Promise<boolean> {
  if (record.payload.case === 'agent')
    return upsertAgent(manager, record.version, record.payload.value);
  const stored: unknown[] = await manager.query(
    `INSERT INTO routing.directory_entry (kind, id, version, record) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, record = excluded.record
       WHERE routing.directory_entry.version < excluded.version
     RETURNING id`,
    [record.kind, record.id, record.version, Buffer.from(encode(DirectoryRecordSchema, record))],
  );
  if (stored.length === 1 && record.payload.case === 'team') {
    await setTeamChatCapacity(manager, record.id, record.payload.value.defaultChatCapacity);
  }
  return stored.length === 1;
}

/** Keeps a team's default chat capacity where the agents' capacity is read (assignment.store). */
async function setTeamChatCapacity(
  manager: EntityManager,
  teamId: string,
  chats: number | undefined,
): Promise<void> {
  if (chats === undefined) {
    await manager.query(`DELETE FROM routing.team_chat_capacity WHERE team_id = $1`, [teamId]);
  } else {
    await manager.query(
      `INSERT INTO routing.team_chat_capacity (team_id, chats) VALUES ($1, $2)
       ON CONFLICT (team_id) DO UPDATE SET chats = excluded.chats`,
      [teamId, chats],
    );
  }
}

/** A tombstone: the entry is gone. An agent is kept, inactive, for the tickets they still hold. */
export async function removeDirectoryEntry(
  manager: EntityManager,
  kind: DirectoryKind,
  id: string,
): Promise<void> {
  if (kind === DirectoryKind.AGENT) {
    await manager.query(`UPDATE routing.agent SET active = false WHERE id = $1`, [id]);
  } else {
    await manager.query(`DELETE FROM routing.directory_entry WHERE kind = $1 AND id = $2`, [
      kind,
      id,
    ]);
    if (kind === DirectoryKind.TEAM) await setTeamChatCapacity(manager, id, undefined);
  }
}

async function upsertAgent(
  manager: EntityManager,
  version: number,
  agent: Agent,
): Promise<boolean> {
  const skillLevels = Object.fromEntries(agent.skills.map((skill) => [skill.skillId, skill.level]));
  const capacity = Object.fromEntries(
    agent.capacity.map((entry) => [entry.channel, entry.maxConcurrent]),
  );
  // Becoming available restarts the idle clock, so agents who just came online queue fairly.
  const stored: unknown[] = await manager.query(
    `INSERT INTO routing.agent
       (id, version, active, presence, team_ids, skill_levels, capacity, idle_since)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (id) DO UPDATE SET
       version = excluded.version, active = excluded.active, presence = excluded.presence,
       team_ids = excluded.team_ids, skill_levels = excluded.skill_levels,
       capacity = excluded.capacity,
       idle_since = CASE WHEN routing.agent.presence <> $8 AND excluded.presence = $8
                         THEN now() ELSE routing.agent.idle_since END
       WHERE routing.agent.version < excluded.version
     RETURNING id`,
    [
      agent.id,
      version,
      agent.active,
      agent.presence,
      agent.teamIds,
      JSON.stringify(skillLevels),
      JSON.stringify(capacity),
      Presence.ONLINE,
    ],
  );
  return stored.length === 1;
}

export async function loadRoutingPolicies(manager: EntityManager): Promise<RoutingPolicies> {
  const rows: Array<{ record: Buffer }> = await manager.query(
    `SELECT record FROM routing.directory_entry WHERE kind = ANY($1)`,
    [
      [
        DirectoryKind.TEAM,
        DirectoryKind.CALENDAR,
        DirectoryKind.SLA_POLICY,
        DirectoryKind.RULE_SET,
        DirectoryKind.CUSTOMER_TEXTS,
      ],
    ],
  );
  const policies: RoutingPolicies = {
    ruleSet: DEFAULT_RULE_SET,
    slaPolicies: [],
    teams: new Map(),
    calendars: new Map(),
    customerTexts: {},
  };
  for (const { record } of rows) {
    const { payload } = decode(DirectoryRecordSchema, record);
    switch (payload.case) {
      case 'team':
        policies.teams.set(payload.value.id, payload.value);
        break;
      case 'calendar':
        policies.calendars.set(payload.value.id, payload.value);
        break;
      case 'slaPolicy':
        policies.slaPolicies.push(payload.value);
        break;
      case 'ruleSet':
        policies.ruleSet = payload.value;
        break;
      case 'customerTexts':
        policies.customerTexts[customerLanguage(payload.value.id)] = payload.value
          .texts as CustomerTextOverrides;
        break;
    }
  }
  // Listed in id order so that "the first of equally specific policies" is the same everywhere.
  policies.slaPolicies.sort((a, b) => a.id.localeCompare(b.id));
  return policies;
}
