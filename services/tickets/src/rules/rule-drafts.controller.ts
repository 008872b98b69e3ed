import { Body, Controller, Delete, Get, HttpCode, Post, Put, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { JsonValue } from '@bufbuild/protobuf';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import {
  PublishedRuleSetView,
  RULE_SET,
  RulePreviewRequest,
  RulePreviewView,
  RuleSetDraftView,
} from './rule-drafts.dto';
import { RuleDraftsService } from './rule-drafts.service';

/**
 * The classification rules' draft, its preview over the stored messages and its publishing
 * (docs/adr/0024-rule-change-preview.md). The live rule set is the directory's `rule_set/default`.
 */
@ApiTags('rules')
@ApiBearerAuth()
@ApiErrors(401, 403, 503)
@UseGuards(AgentGuard)
@Roles('admin')
@Controller('api/v1/rules/draft')
export class RuleDraftsController {
  constructor(private readonly drafts: RuleDraftsService) {}

  @Get()
  @ApiOkResponse({ type: RuleSetDraftView })
  @ApiErrors(404)
  draft(): Promise<RuleSetDraftView> {
    return this.drafts.draft();
  }

  @Put()
  @ApiBody({ schema: RULE_SET })
  @ApiOkResponse({ type: RuleSetDraftView, description: 'The draft as saved, a new revision' })
  @ApiErrors(400)
  save(@Body() body: JsonValue, @CurrentAgent() admin: SignedInAgent): Promise<RuleSetDraftView> {
    return this.drafts.saveDraft(body, admin.id);
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The draft is gone; the live rules are unchanged' })
  @ApiErrors(404)
  async discard(): Promise<void> {
    await this.drafts.discard();
  }

  @Post('preview')
  @HttpCode(200)
  @ApiOkResponse({ type: RulePreviewView })
  @ApiErrors(400, 404)
  preview(@Body() body: RulePreviewRequest): Promise<RulePreviewView> {
    return this.drafts.preview(body.days, body.examples);
  }

  @Post('publish')
  @HttpCode(200)
  @ApiOkResponse({ type: PublishedRuleSetView })
  @ApiErrors(404, 409)
  publish(@CurrentAgent() admin: SignedInAgent): Promise<PublishedRuleSetView> {
    return this.drafts.publish(admin.id);
  }
}
