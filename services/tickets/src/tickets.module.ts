import { attachmentStoreProvider } from '@firstline/attachments/stores';
import { AttachmentRepository } from './attachments/attachment.repository';
import { AttachmentsController } from './attachments/attachments.controller';
import { Module } from '@nestjs/common';
import { RUN_MODE, type RunMode } from '@firstline/runtime';
import { AccountsController } from './accounts/accounts.controller';
import { AccountsService } from './accounts/accounts.service';
import { FirstAdmin } from './accounts/first-admin';
import { AssignmentService } from './api/assignment.service';
import { AuthController } from './api/auth.controller';
import { CallbacksController } from './api/callbacks.controller';
import { CallbackService } from './api/callbacks.service';
import { CustomerService } from './api/customer.service';
import { KpiService } from './api/kpi.service';
import { NoteService } from './api/note.service';
import { QueueService } from './api/queue.service';
import { ReplyService } from './api/reply.service';
import { StatusService } from './api/status.service';
import { SatisfactionSurvey } from './api/survey';
import { SupervisionController } from './api/supervision.controller';
import { SupervisorControlsController } from './api/supervisor-controls.controller';
import { TicketSupervisionService } from './api/ticket-supervision.service';
import { WorkloadService } from './api/workload.service';
import { TicketAccess } from './api/ticket-access';
import { TicketViewService } from './api/ticket-view.service';
import { TicketsController } from './api/tickets.controller';
import { TransferService } from './api/transfer.service';
import { DirectoryController } from './directory/directory.controller';
import { AuthService } from './auth/auth.service';
import { AgentGuard } from './auth/auth.guard';
import { LoginAttempts } from './auth/login-attempts';
import { Passwords } from './auth/password';
import { CallbackRepository } from './database/callback.repository';
import { CustomerRepository } from './database/customer.repository';
import { DirectoryRepository } from './database/directory.repository';
import { TicketRepository } from './database/ticket.repository';
import { ReplyRequestRepository } from './database/reply-request.repository';
import { DemoDirectorySeeder } from './directory/demo-directory.seeder';
import { DirectoryService } from './directory/directory.service';
import { RuleDraftsController } from './rules/rule-drafts.controller';
import { RuleDraftsRepository } from './rules/rule-drafts.repository';
import { RuleDraftsService } from './rules/rule-drafts.service';
import { CustomerWording } from './directory/customer-wording';
import { TeamCalendars } from './directory/team-calendars';
import { AutoCloseTimer } from './tickets/auto-close.timer';
import { ChatInactivityTimer } from './tickets/chat-inactivity.timer';
import { DeliveryReceiptConsumer } from './tickets/delivery-receipt.consumer';
import { IdentityVerifiedConsumer } from './tickets/identity-verified.consumer';
import { RoutingDecisionConsumer } from './tickets/routing-decision.consumer';
import { RoutingCommands } from './api/routing-commands';
import { TicketsSettings } from './tickets-settings';
import { LiveGateway } from './live/live.gateway';
import { LiveUpdatesConsumer } from './live/live-updates.consumer';
import { TicketTeams } from './live/ticket-teams';
import { NotificationRepository } from './notifications/notification.repository';
import { NotificationsController } from './notifications/notifications.controller';
import { SearchController } from './search/search.controller';
import { SearchRepository } from './search/search.repository';
import { SearchService } from './search/search.service';
import { ChatActivityController } from './chat/chat-activity.controller';
import { ChatActivityService } from './chat/chat-activity.service';
import { ChatLiveConsumer } from './chat/chat-live.consumer';
import { PlanningController } from './planning/planning.controller';
import { StaffingRepository } from './planning/staffing.repository';
import { StaffingService } from './planning/staffing.service';

/** The system of record and the agents' API. */
@Module({
  providers: [
    attachmentStoreProvider,
    AttachmentRepository,
    {
      provide: TicketsSettings,
      useFactory: (mode: RunMode) => new TicketsSettings(process.env, mode),
      inject: [RUN_MODE],
    },
    TicketRepository,
    ReplyRequestRepository,
    CustomerRepository,
    DirectoryRepository,
    DirectoryService,
    RuleDraftsRepository,
    RuleDraftsService,
    TeamCalendars,
    CustomerWording,
    DemoDirectorySeeder,
    AuthService,
    AccountsService,
    FirstAdmin,
    LoginAttempts,
    Passwords,
    AgentGuard,
    RoutingDecisionConsumer,
    AutoCloseTimer,
    ChatInactivityTimer,
    DeliveryReceiptConsumer,
    IdentityVerifiedConsumer,
    TicketAccess,
    QueueService,
    TicketViewService,
    ReplyService,
    NoteService,
    TransferService,
    RoutingCommands,
    StatusService,
    SatisfactionSurvey,
    AssignmentService,
    KpiService,
    CustomerService,
    NotificationRepository,
    LiveGateway,
    LiveUpdatesConsumer,
    TicketTeams,
    ChatActivityService,
    ChatLiveConsumer,
    SearchRepository,
    SearchService,
    CallbackRepository,
    CallbackService,
    TicketSupervisionService,
    WorkloadService,
    StaffingRepository,
    StaffingService,
  ],
  controllers: [
    AttachmentsController,
    AuthController,
    TicketsController,
    ChatActivityController,
    SupervisionController,
    DirectoryController,
    RuleDraftsController,
    NotificationsController,
    AccountsController,
    SearchController,
    SupervisorControlsController,
    CallbacksController,
    PlanningController,
  ],
})
export class TicketsModule {}
