/** An assignment or a status change of a ticket, in the order the decision log recorded them. */
export type AssignmentEvent =
  | { ticketId: string; channel: number; assignee: string }
  | { ticketId: string; channel: number; closed: boolean };

/**
 * Replays assignments and status changes in the order they occurred and names every assignment
 * that gave an agent more open tickets of a channel than `capacity`. Resolutions are recorded
 * when they happen and the router learns of them later, so the replay's load is never above the
 * router's: a breach here is a breach of the router's.
 */
export function capacityBreaches(events: AssignmentEvent[], capacity: number): string[] {
  const tickets = new Map<string, { assignee: string; closed: boolean; channel: number }>();
  const load = new Map<string, number>();
  const holder = (ticket: { assignee: string; closed: boolean; channel: number }) =>
    ticket.assignee && !ticket.closed ? `${ticket.assignee}/${ticket.channel}` : undefined;
  const breaches: string[] = [];
  for (const event of events) {
    const ticket = tickets.get(event.ticketId) ?? {
      assignee: '',
      closed: false,
      channel: event.channel,
    };
    const before = holder(ticket);
    if ('assignee' in event) ticket.assignee = event.assignee;
    else ticket.closed = event.closed;
    tickets.set(event.ticketId, ticket);
    const after = holder(ticket);
    if (before === after) continue;
    if (before) load.set(before, load.get(before)! - 1);
    if (after) {
      const count = (load.get(after) ?? 0) + 1;
      load.set(after, count);
      if (count > capacity) breaches.push(`${event.ticketId} made ${after} hold ${count}`);
    }
  }
  return breaches;
}
