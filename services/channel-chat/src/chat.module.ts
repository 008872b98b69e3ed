import { Module } from '@nestjs/common';
import { attachmentStoreProvider } from '@firstline/attachments/stores';
import { directoryProjection } from '@firstline/channel-kit';
import { ChatActivityRelay } from './activity/chat-activity';
import { AvailabilityService } from './availability/availability.service';
import { CHAT_DIRECTORY } from './availability/directory.projection';
import { ChatClosingController } from './closing/chat-closing.controller';
import { CHAT_CONFIG, loadChatConfig } from './config';
import { ChatFilesController } from './files/chat-files.controller';
import { ChatInbound } from './inbound/chat-inbound';
import { ChatOutbound } from './outbound/chat-outbound.consumer';
import { ChatRoutingConsumer } from './queue/chat-routing.consumer';
import { ChatController } from './visitors/chat.controller';
import { ChatGateway } from './visitors/chat.gateway';
import { ConversationStore } from './visitors/conversation.store';
import { VisitorAuth } from './visitors/visitor-auth';
import { VisitorCues } from './visitors/visitor-cues';
import { VisitorListeners } from './visitors/visitor-listeners';
import { WidgetController } from './widget/widget.controller';

/** Live chat: the widget's socket and long poll in, agents' replies out to the same visitors. */
@Module({
  controllers: [WidgetController, ChatController, ChatClosingController, ChatFilesController],
  providers: [
    // Read when the service starts: a missing secret stops it with one line.
    { provide: CHAT_CONFIG, useFactory: () => loadChatConfig(process.env) },
    attachmentStoreProvider,
    ConversationStore,
    VisitorListeners,
    VisitorCues,
    ChatActivityRelay,
    AvailabilityService,
    ...directoryProjection(CHAT_DIRECTORY),
    VisitorAuth,
    ChatInbound,
    ChatGateway,
    ChatOutbound,
    ChatRoutingConsumer,
  ],
})
export class ChannelChatModule {}
