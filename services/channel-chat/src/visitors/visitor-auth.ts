import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { chatAdapter, mintVisitorToken, visitorOfToken } from '@firstline/chat';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { ConversationStore } from './conversation.store';

/**
 * Which visitor a request is from: its token must be one this service signed and its visitor
 * one the service keeps. HTTP requests carry the token as `Authorization: Bearer`; a WebSocket,
 * which a browser cannot give headers, as `?token=`.
 */
@Injectable()
export class VisitorAuth {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly store: ConversationStore,
  ) {}

  tokenOf(visitorId: string): string {
    return mintVisitorToken(visitorId, this.config.tokenSecret);
  }

  /** The visitor, or undefined when the request is not a known visitor's. */
  async visitorOf(authorization: string | undefined): Promise<string | undefined> {
    const context = { tokenSecret: this.config.tokenSecret };
    const verdict = chatAdapter.verify!(
      { headers: { authorization }, rawBody: Buffer.alloc(0) },
      context,
    );
    if (verdict.kind !== 'accepted') return undefined;
    const visitorId = visitorOfToken(
      authorization!.slice('Bearer '.length),
      this.config.tokenSecret,
    );
    return visitorId && (await this.store.exists(visitorId)) ? visitorId : undefined;
  }

  /** The visitor of an HTTP request; 401 when it is not a known visitor's (the widget starts afresh). */
  async required(authorization: string | undefined): Promise<string> {
    const visitorId = await this.visitorOf(authorization);
    if (!visitorId) throw new UnauthorizedException('Start a chat first: POST /chat/session');
    return visitorId;
  }

  /** Whether a page of `origin` may talk to the service (a WebSocket has no CORS of its own). */
  allowsOrigin(origin: string | undefined): boolean {
    const allowed = this.config.allowedOrigins;
    return allowed === '*' || (origin !== undefined && allowed.includes(origin));
  }
}
