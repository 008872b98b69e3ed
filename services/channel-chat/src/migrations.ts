import { outboundDeliveryMigration } from '@firstline/channel-kit';
import { sqlMigration } from '@firstline/persistence';

export const SCHEMA = 'channel_chat';

/**
 * Visitors and their conversations as the widget shows them: every message either way, numbered
 * per visitor. The number is the widget's cursor (resume after the last one seen); it is taken
 * from the visitor's row under its lock, so a conversation's messages commit in number order and
 * a reader never skips one that commits late.
 */
export const CreateChatConversations1797100000000 = sqlMigration(
  'CreateChatConversations1797100000000',
  {
    up: [
      `
    CREATE TABLE ${SCHEMA}.visitor (
      visitor_id uuid PRIMARY KEY,
      locale     text NOT NULL DEFAULT '',
      last_seq   bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
      `
    CREATE TABLE ${SCHEMA}.message (
      visitor_id uuid NOT NULL REFERENCES ${SCHEMA}.visitor,
      seq        bigint NOT NULL,
      -- visitor: the client message id; agent: the outbound id. A resend finds its row.
      local_id   text NOT NULL,
      author_kind text NOT NULL CHECK (author_kind IN ('visitor', 'agent')),
      author     text NOT NULL DEFAULT '',
      text       text NOT NULL,
      files      jsonb NOT NULL DEFAULT '[]',
      automatic  boolean NOT NULL DEFAULT false,
      -- A visitor's message: once the broker took it, on its way to an agent.
      delivered  boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (visitor_id, seq),
      UNIQUE (visitor_id, author_kind, local_id)
    )`,
    ],
    down: [`DROP TABLE ${SCHEMA}.message`, `DROP TABLE ${SCHEMA}.visitor`],
  },
);

export const migrations = [outboundDeliveryMigration(SCHEMA), CreateChatConversations1797100000000];
