import { CreateAttachmentStore1797200000000 } from '@firstline/attachments/stores';
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

/**
 * Read marks, durable so that a reload shows them: how far an agent has read the visitor's
 * messages and how far the visitor has seen the agents' (each a `seq`, only ever raised); and the
 * ticket of each reply, which the receipt saying it was read names.
 */
export const AddChatReadMarks1797200000000 = sqlMigration('AddChatReadMarks1797200000000', {
  up: [
    `
    ALTER TABLE ${SCHEMA}.visitor
      ADD COLUMN agent_read_seq bigint NOT NULL DEFAULT 0,
      ADD COLUMN visitor_read_seq bigint NOT NULL DEFAULT 0`,
    `ALTER TABLE ${SCHEMA}.message ADD COLUMN ticket_id text NOT NULL DEFAULT ''`,
  ],
  down: [
    `ALTER TABLE ${SCHEMA}.message DROP COLUMN ticket_id`,
    `ALTER TABLE ${SCHEMA}.visitor DROP COLUMN agent_read_seq, DROP COLUMN visitor_read_seq`,
  ],
});

/**
 * What the visitor told the pre-chat form, sent with each of their messages; and what the service
 * needs of the directory to say whether a site's team can chat now: each team's calendar, the
 * calendars, and which agents of which teams are online (support.directory.v1, by version).
 */
export const AddPrechatAndAvailability1797300000000 = sqlMigration(
  'AddPrechatAndAvailability1797300000000',
  {
    up: [
      `
    ALTER TABLE ${SCHEMA}.visitor
      ADD COLUMN profile jsonb NOT NULL DEFAULT '{}'`,
      `
    CREATE TABLE ${SCHEMA}.team (
      team_id     text PRIMARY KEY,
      version     bigint NOT NULL,
      calendar_id text NOT NULL DEFAULT ''
    )`,
      `
    CREATE TABLE ${SCHEMA}.calendar (
      calendar_id text PRIMARY KEY,
      version     bigint NOT NULL,
      calendar    jsonb NOT NULL
    )`,
      `
    CREATE TABLE ${SCHEMA}.agent (
      agent_id text PRIMARY KEY,
      version  bigint NOT NULL,
      team_ids text[] NOT NULL DEFAULT '{}',
      online   boolean NOT NULL DEFAULT false
    )`,
      `CREATE INDEX agent_online_teams ON ${SCHEMA}.agent USING gin (team_ids) WHERE online`,
    ],
    down: [
      `DROP TABLE ${SCHEMA}.agent`,
      `DROP TABLE ${SCHEMA}.calendar`,
      `DROP TABLE ${SCHEMA}.team`,
      `ALTER TABLE ${SCHEMA}.visitor DROP COLUMN profile`,
    ],
  },
);

/**
 * The end of each chat: the survey message a resolved chat showed, the ticket it asks about, and
 * what the visitor did with it (their rating, and where the transcript went): each once per chat.
 */
export const CreateChatSurveys1797400000000 = sqlMigration('CreateChatSurveys1797400000000', {
  up: [
    `
    CREATE TABLE ${SCHEMA}.survey (
      visitor_id    uuid NOT NULL,
      seq           bigint NOT NULL,
      ticket_id     text NOT NULL,
      ticket_number text NOT NULL,
      score         smallint CHECK (score BETWEEN 1 AND 5),
      comment       text NOT NULL DEFAULT '',
      transcript_to text,
      PRIMARY KEY (visitor_id, seq),
      FOREIGN KEY (visitor_id, seq) REFERENCES ${SCHEMA}.message
    )`,
  ],
  down: [`DROP TABLE ${SCHEMA}.survey`],
});

/**
 * The files each visitor uploaded, by storage key: a message names them by digest, and only the
 * visitor's own are taken (the bytes themselves are in the attachment store, docs/adr/0022).
 */
export const CreateChatUploads1797500000000 = sqlMigration('CreateChatUploads1797500000000', {
  up: [
    `
    CREATE TABLE ${SCHEMA}.upload (
      visitor_id   uuid NOT NULL REFERENCES ${SCHEMA}.visitor,
      storage_key  text NOT NULL,
      file_name    text NOT NULL,
      content_type text NOT NULL,
      size_bytes   bigint NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (visitor_id, storage_key)
    )`,
  ],
  down: [`DROP TABLE ${SCHEMA}.upload`],
});

/**
 * Where the visitor's chat waits in its team's queue and the answer time promised, as the
 * router's latest decision about it says (support.routing.v1, docs/adr/0023): the widget shows it
 * until an agent has the chat. Position 0: not waiting in line.
 */
export const AddChatQueuePlace1797600000000 = sqlMigration('AddChatQueuePlace1797600000000', {
  up: [
    `
    ALTER TABLE ${SCHEMA}.visitor
      ADD COLUMN queue_position integer NOT NULL DEFAULT 0,
      ADD COLUMN promised_answer_at timestamptz`,
  ],
  down: [
    `ALTER TABLE ${SCHEMA}.visitor DROP COLUMN queue_position, DROP COLUMN promised_answer_at`,
  ],
});

export const migrations = [
  outboundDeliveryMigration(SCHEMA),
  CreateChatConversations1797100000000,
  AddChatReadMarks1797200000000,
  AddPrechatAndAvailability1797300000000,
  CreateChatSurveys1797400000000,
  CreateChatUploads1797500000000,
  CreateAttachmentStore1797200000000,
  AddChatQueuePlace1797600000000,
];
