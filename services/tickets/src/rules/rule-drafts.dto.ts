import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

// Requests and answers of the rule-change preview (docs/adr/0024-rule-change-preview.md).

const dateTime = { type: String, format: 'date-time' } as const;

/** A rule set as protobuf JSON (directory.proto's RuleSet). */
export const RULE_SET: SchemaObject = {
  type: 'object',
  description: 'A RuleSet as protobuf JSON (directory.proto): rules tried in order, and a fallback',
  properties: {
    version: { type: 'integer' },
    rules: { type: 'array', items: { type: 'object', additionalProperties: true } },
    fallback: { type: 'object', additionalProperties: true },
  },
};

export const PREVIEW_DAYS = { default: 14, max: 90 };
export const PREVIEW_EXAMPLES = { default: 10, max: 50 };

export class RulePreviewRequest {
  @ApiPropertyOptional({
    description: 'Replay the messages that opened tickets in this many days up to now',
    minimum: 1,
    maximum: PREVIEW_DAYS.max,
    default: PREVIEW_DAYS.default,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(PREVIEW_DAYS.max)
  days?: number;

  @ApiPropertyOptional({
    description: 'Examples of moved messages per kind of move, and in all',
    minimum: 1,
    maximum: PREVIEW_EXAMPLES.max,
    default: PREVIEW_EXAMPLES.default,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(PREVIEW_EXAMPLES.max)
  examples?: number;
}

export class PlacementView {
  @ApiProperty() teamId!: string;
  @ApiProperty({ description: 'The rule that decided; empty when the fallback applied' })
  ruleId!: string;
}

export class MovedMessageView {
  @ApiProperty() messageId!: string;
  @ApiProperty() ticketId!: string;
  @ApiProperty({ example: '10001' }) ticketNumber!: string;
  @ApiProperty(dateTime) receivedAt!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ description: 'The start of the text, on one line' }) excerpt!: string;
  @ApiProperty({ type: PlacementView, description: 'Where the live rules sent it' })
  live!: PlacementView;
  @ApiProperty({ type: PlacementView, description: 'Where the draft sends it' })
  draft!: PlacementView;
}

export class TeamCountsView {
  @ApiProperty() teamId!: string;
  @ApiProperty({ description: 'Messages the live rules send to the team' }) live!: number;
  @ApiProperty({ description: 'Messages the draft sends to the team' }) draft!: number;
}

export class RuleCountView {
  @ApiProperty() ruleId!: string;
  @ApiProperty({ description: 'Messages the rule decided' }) messages!: number;
}

export class RulePreviewView {
  @ApiProperty({ description: 'The draft revision previewed' }) draftRevision!: number;
  @ApiProperty({ description: 'The live rule set version compared with' }) liveVersion!: number;
  @ApiProperty() days!: number;
  @ApiProperty({ ...dateTime, description: 'The oldest ticket replayed was opened after this' })
  from!: string;
  @ApiProperty(dateTime) to!: string;
  @ApiProperty({ description: 'Messages replayed' }) messages!: number;
  @ApiProperty({
    description:
      'More messages opened tickets in the window than a preview replays: the newest were',
  })
  limited!: boolean;
  @ApiProperty({ description: 'Messages the draft sends to another team' }) moved!: number;
  @ApiProperty({ type: [TeamCountsView] }) teams!: TeamCountsView[];
  @ApiProperty({ type: [RuleCountView], description: 'Each draft rule, in order' })
  draftRules!: RuleCountView[];
  @ApiProperty({
    type: [String],
    description: 'Draft rules that decide no message: nothing matched, or an earlier rule won',
  })
  neverMatched!: string[];
  @ApiProperty({ type: [MovedMessageView] }) examples!: MovedMessageView[];
  @ApiProperty(dateTime) computedAt!: string;
  @ApiProperty({ description: 'How long the replay took' }) tookMs!: number;
}

export class RuleSetDraftView {
  @ApiProperty({ description: 'The rule set it drafts ("default")' }) id!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: RULE_SET.description })
  ruleSet!: Record<string, unknown>;
  @ApiProperty({ description: 'The live version the draft was started from' })
  basedOnVersion!: number;
  @ApiProperty({ description: 'Raised by every save of the draft' }) revision!: number;
  @ApiProperty() savedBy!: string;
  @ApiProperty(dateTime) savedAt!: string;
  @ApiProperty({
    type: RulePreviewView,
    nullable: true,
    description: 'The latest preview of this revision; null until one is made',
  })
  preview!: RulePreviewView | null;
}

export class PublishedRuleSetView {
  @ApiProperty({ description: 'The live rule set version now' }) version!: number;
  @ApiProperty({ type: RulePreviewView, description: 'Kept with the version in the history' })
  preview!: RulePreviewView;
}

export class DirectoryHistoryAnswer {
  @ApiProperty() version!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The DirectoryRecord of this version as protobuf JSON',
  })
  record!: unknown;
  @ApiProperty({ description: 'The agent who made the change; empty for Firstline itself' })
  changedBy!: string;
  @ApiProperty(dateTime) changedAt!: string;
  @ApiProperty({
    type: RulePreviewView,
    nullable: true,
    description: 'For a rule set published from a draft: the preview it was published with',
  })
  rulePreview!: unknown;
}
