import { classify, type ClassificationInput, type RuleSet } from './classification';

/** A stored inbound message that opened a ticket, replayed through two rule sets. */
export interface ReplayedMessage {
  messageId: string;
  ticketId: string;
  ticketNumber: string;
  input: ClassificationInput;
}

/** Where one message went under one rule set: the team and the rule that decided ("" = fallback). */
export interface Placement {
  teamId: string;
  ruleId: string;
}

/** A message the draft sends to another team than the live rules do. */
export interface MovedMessage {
  messageId: string;
  ticketId: string;
  ticketNumber: string;
  receivedAt: Date;
  subject: string;
  /** The start of the text, enough to recognise the message. */
  excerpt: string;
  live: Placement;
  draft: Placement;
}

export interface TeamCounts {
  teamId: string;
  live: number;
  draft: number;
}

/** What publishing the draft would have changed for the replayed messages. */
export interface RuleSetComparison {
  messages: number;
  moved: number;
  /** Every team either rule set sent a message to, in id order. */
  teams: TeamCounts[];
  /** How many messages each draft rule decided, in the draft's order. */
  draftRules: Array<{ ruleId: string; messages: number }>;
  /** Draft rules that decided no message: nothing matched, or an earlier rule always won. */
  neverMatched: string[];
  /** Up to the example limit, spread over the kinds of move (from team → to team). */
  examples: MovedMessage[];
}

const EXCERPT_LENGTH = 160;

/**
 * Replays messages through the live and the draft rule set with the router's own `classify`, one
 * message at a time, so a caller can feed any number of messages page by page and keep only the
 * counts and a few examples in memory.
 */
export class RuleSetReplay {
  private messages = 0;
  private moved = 0;
  private readonly teams = new Map<string, TeamCounts>();
  private readonly draftRuleCounts: Map<string, number>;
  /** Examples per kind of move, each kept up to the limit so every kind can be shown. */
  private readonly examplesByMove = new Map<string, MovedMessage[]>();

  constructor(
    private readonly live: RuleSet,
    private readonly draft: RuleSet,
    private readonly exampleLimit: number,
  ) {
    this.draftRuleCounts = new Map(
      draft.rules.filter((rule) => rule.actions).map((rule) => [rule.id, 0]),
    );
  }

  add(message: ReplayedMessage): void {
    const live = classify(this.live, message.input);
    const draft = classify(this.draft, message.input);
    this.messages += 1;
    this.team(live.teamId).live += 1;
    this.team(draft.teamId).draft += 1;
    if (draft.matchedRuleId) {
      this.draftRuleCounts.set(
        draft.matchedRuleId,
        (this.draftRuleCounts.get(draft.matchedRuleId) ?? 0) + 1,
      );
    }
    if (live.teamId === draft.teamId) return;
    this.moved += 1;
    const move = `${live.teamId}\u0000${draft.teamId}`;
    const examples = this.examplesByMove.get(move) ?? [];
    if (examples.length >= this.exampleLimit) return;
    examples.push({
      messageId: message.messageId,
      ticketId: message.ticketId,
      ticketNumber: message.ticketNumber,
      receivedAt: message.input.receivedAt,
      subject: message.input.subject,
      excerpt: excerptOf(message.input.textBody),
      live: { teamId: live.teamId, ruleId: live.matchedRuleId },
      draft: { teamId: draft.teamId, ruleId: draft.matchedRuleId },
    });
    this.examplesByMove.set(move, examples);
  }

  result(): RuleSetComparison {
    const draftRules = [...this.draftRuleCounts].map(([ruleId, messages]) => ({
      ruleId,
      messages,
    }));
    return {
      messages: this.messages,
      moved: this.moved,
      teams: [...this.teams.values()].sort((a, b) => a.teamId.localeCompare(b.teamId)),
      draftRules,
      neverMatched: draftRules.filter((rule) => rule.messages === 0).map((rule) => rule.ruleId),
      examples: takeInTurns([...this.examplesByMove.values()], this.exampleLimit),
    };
  }

  private team(teamId: string): TeamCounts {
    let counts = this.teams.get(teamId);
    if (!counts) {
      counts = { teamId, live: 0, draft: 0 };
      this.teams.set(teamId, counts);
    }
    return counts;
  }
}

/** One from each list in turn until `limit`: every kind of move shows before any shows twice. */
function takeInTurns<T>(lists: T[][], limit: number): T[] {
  const taken: T[] = [];
  for (let round = 0; taken.length < limit; round += 1) {
    const before = taken.length;
    for (const list of lists) {
      if (round < list.length && taken.length < limit) taken.push(list[round]!);
    }
    if (taken.length === before) break;
  }
  return taken;
}

function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH - 1)}…` : flat;
}
