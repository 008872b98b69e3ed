/** What a canned reply's placeholders can refer to. */
export interface CannedReplyContext {
  customer: { name: string };
  agent: { name: string };
  ticket: { number: string };
}

export interface RenderedReply {
  text: string;
  /** Placeholders that named nothing known; left in the text so the agent sees them. */
  unknown: string[];
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+\.[a-zA-Z]+)\s*\}\}/g;

/**
 * Fills `{{customer.firstName}}`, `{{customer.name}}`, `{{agent.firstName}}`, `{{agent.name}}` and
 * `{{ticket.number}}` in a canned reply's body.
 */
export function renderCannedReply(body: string, context: CannedReplyContext): RenderedReply {
  const values: Record<string, string> = {
    'customer.name': context.customer.name,
    'customer.firstName': firstName(context.customer.name),
    'agent.name': context.agent.name,
    'agent.firstName': firstName(context.agent.name),
    'ticket.number': context.ticket.number,
  };
  const unknown: string[] = [];
  const text = body.replace(PLACEHOLDER, (placeholder, path: string) => {
    if (path in values) return values[path];
    unknown.push(path);
    return placeholder;
  });
  return { text, unknown };
}

/** The first word of a display name ("Ann Smith" → "Ann"); empty when there is no name. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}
