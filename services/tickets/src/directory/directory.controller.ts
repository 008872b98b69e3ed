import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Put,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { IsIn } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { fromJson, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import {
  AgentSchema,
  CalendarSchema,
  CannedReplySchema,
  CustomerTextsSchema,
  DirectoryRecordSchema,
  Presence,
  RuleSetSchema,
  SkillSchema,
  SlaPolicySchema,
  TeamSchema,
  type Agent,
  type CustomerTexts,
  type SlaPolicy,
} from '@firstline/contracts';
import {
  calendarProblem,
  customerTextsProblem,
  ruleSetProblem,
  type RuleSet,
  slaPolicyProblem,
  type BusinessCalendar,
} from '@firstline/routing';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { DirectoryRepository } from '../database/directory.repository';
import { agentEntrySeenBy } from './colleagues';
import { DirectoryService, type DirectoryPayload } from './directory.service';
import { DIRECTORY_RECORD, PresenceAnswer } from '../api/responses';
import { DirectoryHistoryAnswer } from '../rules/rule-drafts.dto';
import { overflowProblem, type TeamOverflow } from './team-overflow';

/** Directory kinds as they appear in keys and URLs, with their payload case and schema. */
const KINDS: Record<string, { case: NonNullable<DirectoryPayload['case']>; schema: DescMessage }> =
  {
    team: { case: 'team', schema: TeamSchema },
    agent: { case: 'agent', schema: AgentSchema },
    skill: { case: 'skill', schema: SkillSchema },
    calendar: { case: 'calendar', schema: CalendarSchema },
    sla_policy: { case: 'slaPolicy', schema: SlaPolicySchema },
    rule_set: { case: 'ruleSet', schema: RuleSetSchema },
    canned_reply: { case: 'cannedReply', schema: CannedReplySchema },
    customer_texts: { case: 'customerTexts', schema: CustomerTextsSchema },
  };

const PRESENCES = ['online', 'away', 'offline'] as const;

/** The versions of an entry the history endpoint lists. */
const HISTORY_LIMIT = 50;

class PresenceRequest {
  @ApiProperty({ enum: PRESENCES })
  @IsIn(PRESENCES)
  presence!: (typeof PRESENCES)[number];
}

/**
 * The directory admin API. Entries are the protobuf JSON of directory.proto's messages; every
 * change is published on the compacted support.directory.v1, where the router reads it.
 */
@ApiTags('directory')
@ApiBearerAuth()
@ApiErrors(401, 503)
@UseGuards(AgentGuard)
@Controller('api/v1')
export class DirectoryController {
  constructor(
    private readonly repository: DirectoryRepository,
    private readonly directory: DirectoryService,
  ) {}

  /** Agents read only the fields of colleagues' entries the console shows them (`agentEntrySeenBy`). */
  @Get('directory/:kind')
  @ApiOkResponse({ schema: { type: 'array', items: DIRECTORY_RECORD } })
  @ApiErrors(404)
  async list(@Param('kind') kind: string, @CurrentAgent() viewer: SignedInAgent) {
    this.kind(kind); // 404 for a kind that does not exist
    const records = await this.repository.list(kind);
    return records.map((record) => toJson(DirectoryRecordSchema, agentEntrySeenBy(viewer, record)));
  }

  @Put('directory/:kind/:id')
  @Roles('admin')
  @ApiBody({
    schema: { type: 'object', description: 'The entry as protobuf JSON (directory.proto)' },
  })
  @ApiOkResponse({ schema: DIRECTORY_RECORD, description: 'The entry as saved, new version' })
  @ApiErrors(400, 403, 404)
  async save(
    @Param('kind') kind: string,
    @Param('id') id: string,
    @Body() body: JsonValue,
    @CurrentAgent() admin: SignedInAgent,
  ) {
    const { case: payloadCase, schema } = this.kind(kind);
    let value: { id?: string };
    try {
      value = fromJson(schema, body) as { id?: string };
    } catch (error) {
      throw new BadRequestException(`Not a valid ${schema.name}: ${(error as Error).message}`);
    }
    // The URL names the entry; a body need not repeat it, but must not name another.
    if (value.id === '') value.id = id;
    if (value.id !== undefined && value.id !== id) {
      throw new BadRequestException(`id: the body names ${value.id}, the URL ${id}`);
    }
    if (payloadCase === 'team') await this.checkOverflow({ ...(value as TeamOverflow), id });
    if (payloadCase === 'calendar') {
      const problem = calendarProblem(value as BusinessCalendar);
      if (problem) throw new BadRequestException(problem);
    }
    if (payloadCase === 'slaPolicy') await this.checkSlaPolicy(value as SlaPolicy);
    if (payloadCase === 'customerTexts') {
      const problem = customerTextsProblem(id, (value as CustomerTexts).texts);
      if (problem) throw new BadRequestException(problem);
    }
    if (payloadCase === 'ruleSet') {
      const problem = ruleSetProblem(value as RuleSet);
      if (problem) throw new BadRequestException(problem);
    }
    if (payloadCase === 'agent') await this.keepPresence(id, value as Agent);
    const record = await this.directory.save(
      id,
      { case: payloadCase, value } as unknown as DirectoryPayload,
      { by: admin.id },
    );
    return toJson(DirectoryRecordSchema, record);
  }

  /** An entry's versions, newest first: who changed it when, and a rule set's published preview. */
  @Get('directory/:kind/:id/history')
  @Roles('admin')
  @ApiOkResponse({ type: DirectoryHistoryAnswer, isArray: true })
  @ApiErrors(403, 404)
  async history(
    @Param('kind') kind: string,
    @Param('id') id: string,
  ): Promise<DirectoryHistoryAnswer[]> {
    this.kind(kind);
    const entries = await this.repository.history(kind, id, HISTORY_LIMIT);
    return entries.map((entry) => ({ ...entry, changedAt: entry.changedAt.toISOString() }));
  }

  /** An agent's presence goes to the router as a new version of their directory entry. */
  @Put('me/presence')
  @ApiOkResponse({ type: PresenceAnswer })
  @ApiErrors(400, 404)
  async presence(
    @CurrentAgent() agent: SignedInAgent,
    @Body() body: PresenceRequest,
  ): Promise<PresenceAnswer> {
    const record = await this.repository.find('agent', agent.id);
    if (record?.payload.case !== 'agent') throw new NotFoundException(`No agent ${agent.id}`);
    const presence = { online: Presence.ONLINE, away: Presence.AWAY, offline: Presence.OFFLINE }[
      body.presence
    ];
    await this.directory.save(
      agent.id,
      { case: 'agent', value: { ...record.payload.value, presence } },
      { by: agent.id },
    );
    return { presence: body.presence };
  }

  /**
   * Presence is the agent's own (`PUT /me/presence`): an admin's edit of an agent, typed into a
   * form opened a while ago, must not undo a change the agent made since.
   */
  private async keepPresence(id: string, agent: Agent) {
    const stored = await this.repository.find('agent', id);
    if (stored?.payload.case === 'agent') agent.presence = stored.payload.value.presence;
  }

  /** A policy's targets must make sense, and a policy for one team must name one that exists. */
  private async checkSlaPolicy(policy: SlaPolicy) {
    const problem = slaPolicyProblem(policy);
    if (problem) throw new BadRequestException(problem);
    if (!policy.teamId) return; // every team
    const team = await this.repository.find('team', policy.teamId);
    if (team?.payload.case !== 'team') {
      throw new BadRequestException(`teamId: there is no team ${policy.teamId}`);
    }
  }

  /** A team may only overflow to another team that exists. */
  private async checkOverflow(team: TeamOverflow) {
    const overflowTeam = team.overflowTeamId
      ? await this.repository.find('team', team.overflowTeamId)
      : undefined;
    const problem = overflowProblem(team, overflowTeam?.payload.case === 'team');
    if (problem) throw new BadRequestException(problem);
  }

  private kind(kind: string) {
    const found = KINDS[kind];
    if (!found)
      throw new NotFoundException(
        `No directory kind ${kind}; one of ${Object.keys(KINDS).join(', ')}`,
      );
    return found;
  }
}
