import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerRepository } from '../database/customer.repository';
import type { CommandAnswer } from './responses';
import {
  AgentWorkload,
  AssignRequest,
  CustomerMatch,
  CustomerSearchQuery,
  PriorityRequest,
  TicketTagsAnswer,
  TicketTagsRequest,
} from './supervision.dto';
import { answered, CommandAnswers, type Response } from './tickets.controller';
import { TicketSupervisionService } from './ticket-supervision.service';
import { WorkloadService } from './workload.service';

/**
 * Supervisors' controls in the console: give a ticket to a named agent, change its priority and
 * tags, see every agent's presence and load, find the customers to merge.
 */
@ApiTags('supervision')
@ApiBearerAuth()
@ApiErrors(401, 403, 503)
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1')
export class SupervisorControlsController {
  constructor(
    private readonly supervision: TicketSupervisionService,
    private readonly workloads: WorkloadService,
    private readonly customers: CustomerRepository,
  ) {}

  /**
   * A request to the router, the one assignment authority (docs/adr/0015); 409 with its reason
   * when it refuses (at capacity without the override, another team's agent, a closed ticket).
   */
  @Post('tickets/:id/assign')
  @HttpCode(200)
  @CommandAnswers()
  @ApiErrors(400, 404, 409)
  async assign(
    @CurrentAgent() supervisor: SignedInAgent,
    @Param('id') id: string,
    @Body() body: AssignRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    return answered(
      response,
      await this.supervision.assign(id, supervisor, body.agentId, body.overrideCapacity),
    );
  }

  /** A request to the router, which orders queues by priority (docs/adr/0015). */
  @Post('tickets/:id/priority')
  @HttpCode(200)
  @CommandAnswers()
  @ApiErrors(400, 404, 409)
  async priority(
    @CurrentAgent() supervisor: SignedInAgent,
    @Param('id') id: string,
    @Body() body: PriorityRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    return answered(response, await this.supervision.setPriority(id, supervisor, body.priority));
  }

  @Put('tickets/:id/tags')
  @ApiOkResponse({ type: TicketTagsAnswer, description: 'The ticket’s tags now' })
  @ApiErrors(400, 404)
  tags(
    @CurrentAgent() supervisor: SignedInAgent,
    @Param('id') id: string,
    @Body() body: TicketTagsRequest,
  ): Promise<TicketTagsAnswer> {
    return this.supervision.setTags(id, supervisor, body.tags);
  }

  @Get('agents/workload')
  @ApiQuery({ name: 'teamId', required: false })
  @ApiOkResponse({ type: [AgentWorkload] })
  workload(@Query('teamId') teamId?: string): Promise<AgentWorkload[]> {
    return this.workloads.workload(teamId || undefined);
  }

  @Get('customers')
  @ApiOkResponse({ type: [CustomerMatch], description: 'Up to 20 customers, not merged away' })
  @ApiErrors(400)
  searchCustomers(@Query() query: CustomerSearchQuery): Promise<CustomerMatch[]> {
    return this.customers.searchCustomers(query.query.trim(), 20);
  }
}
