/** The path the console opens a ticket's file at: the digest, the last part of its key. */
export function attachmentPath(ticketId: string, storageKey: string): string {
  const digest = storageKey.slice(storageKey.lastIndexOf('/') + 1);
  return `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments/${digest}`;
}
