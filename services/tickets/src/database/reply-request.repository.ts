import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JoinableWrite } from '@firstline/persistence';

/** What a reply request answered, kept to answer its repeats the same. */
export interface ReplyResponse {
  messageId: string;
  status: string;
}

/** A reply request seen before under the same key. */
export interface EarlierReplyRequest {
  requestHash: string;
  response: ReplyResponse;
}

/** Agents' `Idempotency-Key`s for replies (table `tickets.reply_request`). */
@Injectable()
export class ReplyRequestRepository {
  /**
   * The INSERT that claims the key for this request, run by the statement that locks the ticket
   * (TicketRepository.lockTicketToAnswer); it returns a row only when the key is new. A repeat
   * arriving while the first is still running waits for the first's transaction (the key's row
   * is locked until then) and then claims nothing: `earlier` has the first's answer.
   */
  claim(request: {
    agentId: string;
    key: string;
    requestHash: string;
    ticketId: string;
  }): JoinableWrite {
    return (first) => ({
      sql: `INSERT INTO tickets.reply_request (agent_id, idempotency_key, request_hash, ticket_id)
            VALUES ($${first}, $${first + 1}, $${first + 2}, $${first + 3})
            ON CONFLICT DO NOTHING
            RETURNING agent_id`,
      parameters: [request.agentId, request.key, request.requestHash, request.ticketId],
    });
  }

  /** The request that claimed the key first. */
  async earlier(
    manager: EntityManager,
    agentId: string,
    key: string,
  ): Promise<EarlierReplyRequest> {
    const [earlier]: Array<{ request_hash: string; response: ReplyResponse }> = await manager.query(
      `SELECT request_hash, response FROM tickets.reply_request
         WHERE agent_id = $1 AND idempotency_key = $2`,
      [agentId, key],
    );
    return { requestHash: earlier.request_hash, response: earlier.response };
  }

  /**
   * Keeps what the request answered, written by the change's own statement (TicketEventLog.write):
   * nothing in the transaction reads it back.
   */
  answered(agentId: string, key: string, response: ReplyResponse): JoinableWrite {
    return (first) => ({
      sql: `UPDATE tickets.reply_request SET response = $${first + 2}
            WHERE agent_id = $${first} AND idempotency_key = $${first + 1}`,
      parameters: [agentId, key, JSON.stringify(response)],
    });
  }
}
