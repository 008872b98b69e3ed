import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { CallbackService } from './callbacks.service';
import {
  CallbackListQuery,
  CallbackOutcomeRequest,
  CallbackView,
  ListedCallbackView,
} from './supervision.dto';

/** Callback requests as tasks: the list, a ticket's cards, and what came of a call. */
@ApiTags('callbacks')
@ApiBearerAuth()
@ApiErrors(401, 503)
@UseGuards(AgentGuard)
@Controller('api/v1')
export class CallbacksController {
  constructor(private readonly callbacks: CallbackService) {}

  @Get('callbacks')
  @ApiOkResponse({ type: [ListedCallbackView], description: 'Open ones soonest due first' })
  @ApiErrors(400)
  list(
    @CurrentAgent() agent: SignedInAgent,
    @Query() query: CallbackListQuery,
  ): Promise<ListedCallbackView[]> {
    return this.callbacks.list(agent, query);
  }

  @Get('tickets/:id/callbacks')
  @ApiOkResponse({ type: [CallbackView] })
  @ApiErrors(403, 404)
  ofTicket(@CurrentAgent() agent: SignedInAgent, @Param('id') id: string): Promise<CallbackView[]> {
    return this.callbacks.ofTicket(id, agent);
  }

  @Post('callbacks/:id/outcome')
  @HttpCode(200)
  @ApiOkResponse({ type: CallbackView })
  @ApiErrors(400, 403, 404, 409)
  record(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: CallbackOutcomeRequest,
  ): Promise<CallbackView> {
    return this.callbacks.record(id, agent, body.action, body.retryAt);
  }
}
