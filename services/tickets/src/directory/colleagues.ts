import { create, AgentSchema } from '@firstline/contracts';
import type { DirectoryRecord, Role } from '../database/directory.repository';

/**
 * An agent's directory entry as the viewer may read it. Supervisors and admins manage agents and
 * read every field. An agent reads their own entry whole, and of colleagues only what the console
 * shows them: name, teams, presence and whether they still work here — not their email, skills,
 * capacity or languages, which are for the people who set up routing.
 */
export function agentEntrySeenBy(
  viewer: { id: string; role: Role },
  record: DirectoryRecord,
): DirectoryRecord {
  if (viewer.role !== 'agent' || record.id === viewer.id || record.payload.case !== 'agent') {
    return record;
  }
  const { id, name, teamIds, presence, active } = record.payload.value;
  return {
    ...record,
    payload: { case: 'agent', value: create(AgentSchema, { id, name, teamIds, presence, active }) },
  };
}
