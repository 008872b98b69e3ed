import type { ProjectedKind } from '@firstline/channel-kit';
import { DirectoryKind, Presence } from '@firstline/contracts';
import { SCHEMA } from '../migrations';

/**
 * What the chat needs of the directory to tell a visitor whether anyone can answer: each team's
 * calendar, the calendars, and who is online in which team. The topic is compacted and read from
 * its start; versions make replays and late duplicates no-ops.
 */
export const CHAT_DIRECTORY: Partial<Record<DirectoryKind, ProjectedKind>> = {
  [DirectoryKind.TEAM]: {
    table: `${SCHEMA}.team`,
    key: 'team_id',
    columns: (entry) => ({
      calendar_id: entry.payload.case === 'team' ? entry.payload.value.calendarId : '',
    }),
  },
  [DirectoryKind.CALENDAR]: {
    table: `${SCHEMA}.calendar`,
    key: 'calendar_id',
    columns: (entry) => ({ calendar: JSON.stringify(entry.payload.value) }),
  },
  [DirectoryKind.AGENT]: {
    table: `${SCHEMA}.agent`,
    key: 'agent_id',
    columns: (entry) => {
      const agent = entry.payload.case === 'agent' ? entry.payload.value : undefined;
      return {
        team_ids: agent?.teamIds ?? [],
        online: agent?.active === true && agent.presence === Presence.ONLINE,
      };
    },
  },
};
