import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { AgentGuard, Roles } from '../auth/auth.guard';
import { StaffingPlanView, StaffingQuery } from './staffing.dto';
import { StaffingService } from './staffing.service';

/** Workforce planning for supervisors: how many agents each hour of the week needs. */
@ApiTags('planning')
@ApiBearerAuth()
@ApiErrors(401, 403, 503)
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1/planning')
export class PlanningController {
  constructor(private readonly staffing: StaffingService) {}

  /**
   * Per weekday and hour in the team's time zone: arrivals, agents needed (Erlang C on the team's
   * handling times and SLA targets), agents online and the calendar, with flags.
   */
  @Get('staffing')
  @ApiOkResponse({ type: StaffingPlanView })
  @ApiErrors(400, 404)
  staffingPlan(@Query() query: StaffingQuery): Promise<StaffingPlanView> {
    return this.staffing.plan(query);
  }
}
