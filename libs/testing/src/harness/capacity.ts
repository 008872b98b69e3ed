/** An assignment or a status change of a ticket, in the order the decision log recorded them. */
export type AssignmentEvent = { ticketId: string; channel: number; at?: number } & (
  { assignee: string } | { closed: boolean }
);

/**
 * Replays assignments and status changes in the order they occurred and names every assignment
 * that gave an agent more open tickets of a channel than `capacity`. Resolutions are recorded
 * when they happen and the router learns of them later, and it dates an assignment after counting
 * the load it relied on, so the replay's load is never above the router's: a breach here is a
 * breach of the router's. A reopen counts too: the agent holds the ticket again.
 */
export function capacityBreaches(events: AssignmentEvent[], capacity: number): string[] {
  const tickets = new Map<string, { assignee: string; closed: boolean; channel: number }>();
  const load = new Map<string, number>();
  const holder = (ticket: { assignee: string; closed: boolean; channel: number }) =>
    ticket.assignee && !ticket.closed ? `${ticket.assignee}/${ticket.channel}` : undefined;
  const breaches: string[] = [];
  // The events one decision records together (a reopen and its assignment) count as one change.
  let group: { ticketId: string; at?: number; before?: string } | undefined;
  const settle = () => {
    if (!group) return;
    const before = group.before;
    const after = holder(tickets.get(group.ticketId)!);
    if (before === after) return;
    if (before) load.set(before, load.get(before)! - 1);
    if (after) {
      const count = (load.get(after) ?? 0) + 1;
      load.set(after, count);
      if (count > capacity) breaches.push(`${group.ticketId} made ${after} hold ${count}`);
    }
  };
  for (const event of events) {
    const ticket = tickets.get(event.ticketId) ?? {
      assignee: '',
      closed: false,
      channel: event.channel,
    };
    tickets.set(event.ticketId, ticket);
    if (group?.ticketId !== event.ticketId || group.at !== event.at || event.at === undefined) {
      settle();
      group = { ticketId: event.ticketId, at: event.at, before: holder(ticket) };
    }
    if ('assignee' in event) ticket.assignee = event.assignee;
    else ticket.closed = event.closed;
  }
  settle();
  return breaches;
}
