import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
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
@UseGuards(AgentGuard)
@Controller('api/v1')
export class CallbacksController {
  constructor(private readonly callbacks: CallbackService) {}

  @Get('callbacks')
  @ApiOkResponse({ type: [ListedCallbackView], description: 'Open ones soonest due first' })
  list(@CurrentAgent() agent: SignedInAgent, @Query() query: CallbackListQuery) {
    return this.callbacks.list(agent, query);
  }

  @Get('tickets/:id/callbacks')
  @ApiOkResponse({ type: [CallbackView] })
  ofTicket(@CurrentAgent() agent: SignedInAgent, @Param('id') id: string) {
    return this.callbacks.ofTicket(id, agent);
  }

  @Post('callbacks/:id/outcome')
  @HttpCode(200)
  @ApiOkResponse({ type: CallbackView })
  @ApiBadRequestResponse({ description: 'No answer without a future time to try again' })
  @ApiConflictResponse({ description: 'The callback is already done' })
  record(
    @CurrentAgent() agent: SignedInAgent,
    @Param('id') id: string,
    @Body() body: CallbackOutcomeRequest,
  ) {
    return this.callbacks.record(id, agent, body.action, body.retryAt);
  }
}
