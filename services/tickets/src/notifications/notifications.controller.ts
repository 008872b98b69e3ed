import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AgentGuard, CurrentAgent, Roles } from '../auth/auth.guard';
import type { SignedInAgent } from '../auth/auth.service';
import { NotificationRepository } from './notification.repository';

/**
 * Supervisors' notifications (low CSAT scores, first responses overdue), newest first; also pushed
 * over `/api/v1/live`.
 */
@ApiTags('supervision')
@ApiBearerAuth()
@UseGuards(AgentGuard)
@Roles('supervisor', 'admin')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationRepository) {}

  @Get()
  async list(@CurrentAgent() agent: SignedInAgent) {
    const items = await this.notifications.list(
      agent.role === 'admin' ? undefined : agent.teamIds,
      100,
    );
    return { items };
  }
}
