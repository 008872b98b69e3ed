import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@firstline/runtime';
import { NotificationList } from '../api/responses';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { NotificationRepository } from './notification.repository';

/**
 * Supervisors' notifications (low CSAT scores, first responses overdue), newest first; also pushed
 * over `/api/v1/live`.
 */
@ApiTags('supervision')
@ApiBearerAuth()
@ApiErrors(401, 403, 503)
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationRepository) {}

  @Get()
  @ApiOkResponse({ type: NotificationList })
  async list(@CurrentAgent() agent: SignedInAgent): Promise<NotificationList> {
    const items = await this.notifications.list(
      agent.role === 'admin' ? undefined : agent.teamIds,
      100,
    );
    return { items };
  }
}
