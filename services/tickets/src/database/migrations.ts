import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tickets schema. Table names are schema-qualified everywhere (PGlite shares one session
 * between connections, so search_path cannot be relied on).
 */
export class CreateTickets1764000000000 implements MigrationInterface {
  readonly name = 'CreateTickets1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      // The directory as it is published: one row per DirectoryRecord, its protobuf JSON beside.
      `CREATE TABLE tickets.directory_entry (
         kind       text NOT NULL,
         id         text NOT NULL,
         version    integer NOT NULL,
         record     jsonb NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (kind, id)
       )`,
      // Sign-in data stays here; the published Agent record never carries it.
      `CREATE TABLE tickets.agent_account (
         agent_id      text PRIMARY KEY,
         email         text NOT NULL UNIQUE,
         role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
         password_hash text NOT NULL
       )`,
      `CREATE TABLE tickets.customer (
         id           text PRIMARY KEY,
         display_name text NOT NULL DEFAULT '',
         tier         text NOT NULL DEFAULT '',
         tags         text[] NOT NULL DEFAULT '{}',
         merged_into  text REFERENCES tickets.customer (id),
         created_at   timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE TABLE tickets.customer_identity (
         kind         integer NOT NULL,
         value        text NOT NULL,
         customer_id  text NOT NULL REFERENCES tickets.customer (id),
         display_name text NOT NULL DEFAULT '',
         PRIMARY KEY (kind, value)
       )`,
      `CREATE INDEX customer_identity_customer ON tickets.customer_identity (customer_id)`,
      // Numbers customers can read out on the phone, starting at five digits.
      `CREATE SEQUENCE tickets.ticket_number START 10001`,
      `CREATE TABLE tickets.ticket (
         id                    text PRIMARY KEY,
         number                bigint NOT NULL UNIQUE DEFAULT nextval('tickets.ticket_number'),
         customer_id           text NOT NULL REFERENCES tickets.customer (id),
         conversation_key      text NOT NULL,
         channel               integer NOT NULL,
         recipient             jsonb NOT NULL,
         subject               text NOT NULL DEFAULT '',
         status                text NOT NULL,
         priority              integer NOT NULL,
         team_id               text NOT NULL,
         assignee_id           text,
         skill_ids             text[] NOT NULL DEFAULT '{}',
         tags                  text[] NOT NULL DEFAULT '{}',
         language              text NOT NULL DEFAULT '',
         previous_ticket_id    text,
         sla_policy_id         text NOT NULL DEFAULT '',
         first_response_due_at timestamptz,
         resolution_due_at     timestamptz,
         due_at                timestamptz,
         yellow_at             timestamptz,
         first_responded_at    timestamptz,
         resolved_at           timestamptz,
         closed_at             timestamptz,
         reopen_count          integer NOT NULL DEFAULT 0,
         csat_score            integer,
         csat_comment          text,
         created_at            timestamptz NOT NULL,
         updated_at            timestamptz NOT NULL DEFAULT now()
       )`,
      // Queue views, soonest due first: a team's open work (the queue reads each of an agent's
      // teams through this index and merges), an agent's own, and everything (supervisors).
      `CREATE INDEX ticket_team_queue ON tickets.ticket (team_id, due_at NULLS LAST, number)
         WHERE status IN ('new', 'open', 'pending')`,
      `CREATE INDEX ticket_assignee_queue ON tickets.ticket (assignee_id, due_at NULLS LAST, number)
         WHERE status IN ('new', 'open', 'pending')`,
      `CREATE INDEX ticket_open_queue ON tickets.ticket (due_at NULLS LAST, number)
         WHERE status IN ('new', 'open', 'pending')`,
      `CREATE INDEX ticket_customer ON tickets.ticket (customer_id, created_at)`,
      `CREATE INDEX ticket_resolved ON tickets.ticket (resolved_at) WHERE status = 'resolved'`,
      `CREATE TABLE tickets.message (
         id                 text PRIMARY KEY,
         ticket_id          text NOT NULL REFERENCES tickets.ticket (id),
         direction          text NOT NULL CHECK (direction IN ('in', 'out')),
         author_kind        text NOT NULL CHECK (author_kind IN ('customer', 'agent', 'system')),
         author_id          text NOT NULL,
         channel            integer NOT NULL,
         subject            text NOT NULL DEFAULT '',
         text_body          text NOT NULL DEFAULT '',
         html_body          text NOT NULL DEFAULT '',
         attachments        jsonb NOT NULL DEFAULT '[]',
         automatic          boolean NOT NULL DEFAULT false,
         delivery_status    text,
         delivery_reason    text NOT NULL DEFAULT '',
         channel_message_id text NOT NULL DEFAULT '',
         -- The channel's references of an inbound message, which a reply passes back as thread_refs.
         channel_metadata   jsonb NOT NULL DEFAULT '{}',
         created_at         timestamptz NOT NULL
       )`,
      `CREATE INDEX message_ticket ON tickets.message (ticket_id, created_at)`,
      `CREATE TABLE tickets.note (
         id         text PRIMARY KEY,
         ticket_id  text NOT NULL REFERENCES tickets.ticket (id),
         agent_id   text NOT NULL,
         text       text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX note_ticket ON tickets.note (ticket_id, created_at)`,
      // seq keeps the order events were recorded in, also within one transaction.
      `CREATE TABLE tickets.ticket_event (
         seq         bigserial PRIMARY KEY,
         id          text NOT NULL UNIQUE,
         ticket_id   text NOT NULL REFERENCES tickets.ticket (id),
         type        text NOT NULL,
         actor_kind  text NOT NULL,
         actor_id    text NOT NULL,
         record      jsonb NOT NULL,
         occurred_at timestamptz NOT NULL
       )`,
      `CREATE INDEX ticket_event_ticket ON tickets.ticket_event (ticket_id, seq)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'ticket_event',
      'note',
      'message',
      'ticket',
      'customer_identity',
      'customer',
      'agent_account',
      'directory_entry',
    ]) {
      await queryRunner.query(`DROP TABLE tickets.${table}`);
    }
    await queryRunner.query('DROP SEQUENCE tickets.ticket_number');
  }
}

/** Notifications for supervisors (a low CSAT score), listed at `GET /api/v1/notifications`. */
export class AddSupervisorNotifications1766000000000 implements MigrationInterface {
  readonly name = 'AddSupervisorNotifications1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The id is the id of the TicketEvent that caused it, so the live push can find it.
    await queryRunner.query(
      `CREATE TABLE tickets.supervisor_notification (
         id            text PRIMARY KEY,
         kind          text NOT NULL,
         team_id       text NOT NULL,
         ticket_id     text NOT NULL REFERENCES tickets.ticket (id),
         ticket_number text NOT NULL,
         score         integer,
         comment       text NOT NULL DEFAULT '',
         created_at    timestamptz NOT NULL
       )`,
    );
    await queryRunner.query(
      `CREATE INDEX supervisor_notification_team
         ON tickets.supervisor_notification (team_id, created_at DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tickets.supervisor_notification');
  }
}

/**
 * Escalations from the router (first-response breach flag), SLA clocks that pause while a ticket
 * waits on the customer, automatic replies in the history, account management and a sign-in
 * limit shared by every replica.
 */
export class AddEscalationsAndAccounts1767000000000 implements MigrationInterface {
  readonly name = 'AddEscalationsAndAccounts1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE tickets.ticket
         ADD COLUMN first_response_breached boolean NOT NULL DEFAULT false,
         ADD COLUMN pending_since timestamptz`,
      `ALTER TABLE tickets.message
         ADD COLUMN automatic_kind text,
         ADD COLUMN expected_answer_at timestamptz`,
      `ALTER TABLE tickets.agent_account ADD COLUMN deactivated_at timestamptz`,
      // Sign-in attempts per "email:…" and "address:…" key, shared by every replica; a success
      // removes its own, and rows past the window are deleted as new attempts come in.
      `CREATE TABLE tickets.login_attempt (
         id           bigserial PRIMARY KEY,
         key          text NOT NULL,
         attempted_at timestamptz NOT NULL
       )`,
      `CREATE INDEX login_attempt_key ON tickets.login_attempt (key, attempted_at)`,
      `CREATE INDEX login_attempt_age ON tickets.login_attempt (attempted_at)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tickets.login_attempt');
    await queryRunner.query('ALTER TABLE tickets.agent_account DROP COLUMN deactivated_at');
    await queryRunner.query(
      'ALTER TABLE tickets.message DROP COLUMN automatic_kind, DROP COLUMN expected_answer_at',
    );
    await queryRunner.query(
      'ALTER TABLE tickets.ticket DROP COLUMN first_response_breached, DROP COLUMN pending_since',
    );
  }
}

/**
 * Tokens that die with the password (a version per account, carried in every token), and sign-in
 * back-off per account and client address instead of a lock that also refused the right password.
 */
export class AddTokenVersionsAndSignInBackOff1768000000000 implements MigrationInterface {
  readonly name = 'AddTokenVersionsAndSignInBackOff1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE tickets.agent_account ADD COLUMN token_version integer NOT NULL DEFAULT 0`,
      // Attempts in flight and failures of the last window; what it held is a minute old at most.
      `DROP TABLE tickets.login_attempt`,
      `CREATE TABLE tickets.login_attempt (
         id           bigserial PRIMARY KEY,
         account      text NOT NULL,
         address      text NOT NULL,
         attempted_at timestamptz NOT NULL
       )`,
      `CREATE INDEX login_attempt_account ON tickets.login_attempt (account, attempted_at)`,
      `CREATE INDEX login_attempt_address ON tickets.login_attempt (address, attempted_at)`,
      `CREATE INDEX login_attempt_age ON tickets.login_attempt (attempted_at)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `DROP TABLE tickets.login_attempt`,
      `CREATE TABLE tickets.login_attempt (
         id           bigserial PRIMARY KEY,
         key          text NOT NULL,
         attempted_at timestamptz NOT NULL
       )`,
      `CREATE INDEX login_attempt_key ON tickets.login_attempt (key, attempted_at)`,
      `CREATE INDEX login_attempt_age ON tickets.login_attempt (attempted_at)`,
      `ALTER TABLE tickets.agent_account DROP COLUMN token_version`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }
}

/**
 * Provisional customers (docs/adr/0014-identity.md): made by the router for a typed identity
 * nobody verified, shown to agents as unverified. Several provisional customers may have typed
 * the same address, so an identity is unique per customer, with whether it is verified.
 */
export class AddProvisionalCustomers1769000000000 implements MigrationInterface {
  readonly name = 'AddProvisionalCustomers1769000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE tickets.customer ADD COLUMN provisional boolean NOT NULL DEFAULT false`,
      `ALTER TABLE tickets.customer_identity
         ADD COLUMN verified boolean NOT NULL DEFAULT true,
         DROP CONSTRAINT customer_identity_pkey,
         ADD PRIMARY KEY (customer_id, kind, value)`,
      // As the router's migration decides: typed email addresses stored so far were never
      // proven, and a customer who has nothing else is provisional.
      `UPDATE tickets.customer_identity SET verified = false WHERE kind = 5 -- WEBFORM_EMAIL`,
      `UPDATE tickets.customer c SET provisional = true
        WHERE EXISTS (SELECT 1 FROM tickets.customer_identity i WHERE i.customer_id = c.id)
          AND NOT EXISTS (
            SELECT 1 FROM tickets.customer_identity i WHERE i.customer_id = c.id AND i.verified)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM tickets.customer_identity a
       USING tickets.customer_identity b
       WHERE a.kind = b.kind AND a.value = b.value AND a.customer_id > b.customer_id`);
    await queryRunner.query(`ALTER TABLE tickets.customer_identity
       DROP CONSTRAINT customer_identity_pkey, DROP COLUMN verified, ADD PRIMARY KEY (kind, value)`);
    await queryRunner.query(`ALTER TABLE tickets.customer DROP COLUMN provisional`);
  }
}

/**
 * Ticket numbers are made in one place, the router's `routing.ticket` (docs/adr/0015): this
 * column becomes the copy a decision brings, with no sequence and no uniqueness of its own to
 * disagree with the router's.
 */
export class NumbersFromTheRouter1769500000000 implements MigrationInterface {
  readonly name = 'NumbersFromTheRouter1769500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE tickets.ticket ALTER COLUMN number DROP DEFAULT,
         DROP CONSTRAINT ticket_number_key`,
    );
    await queryRunner.query('DROP SEQUENCE tickets.ticket_number');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE tickets.ticket_number START 10001`);
    await queryRunner.query(
      `SELECT setval('tickets.ticket_number', greatest(10001, (SELECT max(number) FROM tickets.ticket)))`,
    );
    await queryRunner.query(
      `ALTER TABLE tickets.ticket ALTER COLUMN number SET DEFAULT nextval('tickets.ticket_number'),
         ADD CONSTRAINT ticket_number_key UNIQUE (number)`,
    );
  }
}

/**
 * The agents' claims, hand-backs and transfers sent to the router, the one authority on
 * assignment (docs/adr/0015), with its answer once it arrives: the API waits on the row, and
 * a transfer's note becomes the reason of its Transferred event.
 */
export class AddRoutingCommands1769600000000 implements MigrationInterface {
  readonly name = 'AddRoutingCommands1769600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tickets.routing_command (
        id           text PRIMARY KEY,
        ticket_id    text NOT NULL REFERENCES tickets.ticket (id),
        agent_id     text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('claim', 'unassign', 'transfer')),
        note         text NOT NULL DEFAULT '',
        requested_at timestamptz NOT NULL,
        decided_at   timestamptz,
        refusal      text
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tickets.routing_command');
  }
}

/**
 * The `Idempotency-Key`s of agents' replies, with the reply each one stored: a repeated request
 * returns that reply instead of sending a second. Keys belong to the agent who sent them.
 */
export class AddReplyIdempotencyKeys1769700000000 implements MigrationInterface {
  readonly name = 'AddReplyIdempotencyKeys1769700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tickets.reply_request (
        agent_id        text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash    text NOT NULL,
        ticket_id       text NOT NULL REFERENCES tickets.ticket (id),
        response        jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, idempotency_key)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tickets.reply_request');
  }
}

/**
 * A supervisor's assignments to a named agent and priority changes travel to the router like
 * claims; callback requests become tasks an agent works from a card.
 */
export class AddSupervisorCommandsAndCallbacks1769800000000 implements MigrationInterface {
  readonly name = 'AddSupervisorCommandsAndCallbacks1769800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE tickets.routing_command DROP CONSTRAINT routing_command_kind_check,
        ADD CONSTRAINT routing_command_kind_check
          CHECK (kind IN ('claim', 'unassign', 'transfer', 'assign', 'setPriority'))`);
    // One task per callback request (the message that asked), so a redelivery adds none.
    await queryRunner.query(`
      CREATE TABLE tickets.callback_task (
        id               text PRIMARY KEY,
        ticket_id        text NOT NULL REFERENCES tickets.ticket (id),
        message_id       text NOT NULL UNIQUE,
        phone            text NOT NULL,
        window_starts_at timestamptz NOT NULL,
        window_ends_at   timestamptz NOT NULL,
        due_at           timestamptz NOT NULL,
        attempts         integer NOT NULL DEFAULT 0,
        last_action      text CHECK (last_action IN ('called', 'no-answer', 'other-channel')),
        done_at          timestamptz,
        done_by          text,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX callback_task_open ON tickets.callback_task (due_at) WHERE done_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX callback_task_ticket ON tickets.callback_task (ticket_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE tickets.callback_task');
    await queryRunner.query(`
      ALTER TABLE tickets.routing_command DROP CONSTRAINT routing_command_kind_check,
        ADD CONSTRAINT routing_command_kind_check
          CHECK (kind IN ('claim', 'unassign', 'transfer'))`);
  }
}

/**
 * Live chats still going, for the inactivity timer's round every 15 seconds: few rows, however
 * many tickets there are. `6` is `Channel.CHAT`.
 */
export class AddOpenChatIndex1769950000000 implements MigrationInterface {
  readonly name = 'AddOpenChatIndex1769950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX ticket_open_chat ON tickets.ticket (id)
        WHERE channel = 6 AND status IN ('new', 'open', 'pending') AND assignee_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX tickets.ticket_open_chat');
  }
}
