import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The router's own state: the directory snapshot it routes by, customers and their identities,
 * conversations and the tickets it decided, with the assignee counted against capacity.
 */
export class CreateRoutingState1764000000000 implements MigrationInterface {
  readonly name = 'CreateRoutingState1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE routing.directory_entry (
        kind    integer NOT NULL,
        id      text NOT NULL,
        version integer NOT NULL,
        record  bytea NOT NULL,
        PRIMARY KEY (kind, id)
      )`);
    // Its row lock is what every assignment to the agent takes: the capacity check and the
    // assignment happen under it, whichever router instance makes them.
    await queryRunner.query(`
      CREATE TABLE routing.agent (
        id           text PRIMARY KEY,
        version      integer NOT NULL,
        active       boolean NOT NULL,
        presence     integer NOT NULL,
        team_ids     text[] NOT NULL,
        skill_levels jsonb NOT NULL,
        capacity     jsonb NOT NULL,
        idle_since   timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE routing.customer (
        id            text PRIMARY KEY,
        tier          text NOT NULL DEFAULT '',
        tags          text[] NOT NULL DEFAULT '{}',
        last_agent_id text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE routing.customer_identity (
        kind        integer NOT NULL,
        value       text NOT NULL,
        customer_id text NOT NULL,
        PRIMARY KEY (kind, value)
      )`);
    await queryRunner.query(`
      CREATE TABLE routing.conversation (
        conversation_key text PRIMARY KEY,
        latest_ticket_id text
      )`);
    await queryRunner.query(`
      CREATE TABLE routing.ticket (
        id                    text PRIMARY KEY,
        conversation_key      text NOT NULL,
        customer_id           text NOT NULL,
        channel               integer NOT NULL,
        team_id               text NOT NULL,
        skill_ids             text[] NOT NULL,
        priority              integer NOT NULL,
        tags                  text[] NOT NULL,
        language              text NOT NULL,
        state                 text NOT NULL CHECK (state IN ('open', 'resolved', 'closed')),
        resolved_at           timestamptz,
        assigned_agent_id     text,
        queued_at             timestamptz NOT NULL,
        first_response_due_at timestamptz,
        resolution_due_at     timestamptz,
        sla_policy_id         text NOT NULL,
        matched_rule_id       text NOT NULL,
        rule_set_version      integer NOT NULL,
        previous_ticket_id    text
      )`);
    await queryRunner.query(`
      CREATE INDEX ticket_agent_load ON routing.ticket (assigned_agent_id, channel)
      WHERE state = 'open'`);
    await queryRunner.query(`
      CREATE INDEX ticket_team_queue ON routing.ticket (team_id, priority DESC, first_response_due_at)
      WHERE state = 'open' AND assigned_agent_id IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'ticket',
      'conversation',
      'customer_identity',
      'customer',
      'agent',
      'directory_entry',
    ]) {
      await queryRunner.query(`DROP TABLE routing.${table}`);
    }
  }
}

/**
 * Ticket numbers minted with the decision, the facts escalation needs (whether an agent answered,
 * whether the customer waits for one), automatic-reply windows, merges, link tokens, and timers
 * as rows: a restart loses no timer because the table is the timer.
 */
export class AddNumbersTimersAndLinks1764100000000 implements MigrationInterface {
  readonly name = 'AddNumbersTimersAndLinks1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE routing.ticket_number START 10001`);
    await queryRunner.query(`
      ALTER TABLE routing.ticket
        ADD COLUMN number text NOT NULL DEFAULT nextval('routing.ticket_number')::text,
        ADD COLUMN first_responded_at timestamptz,
        ADD COLUMN awaiting_agent boolean NOT NULL DEFAULT true`);
    await queryRunner.query(
      `ALTER TABLE routing.conversation ADD COLUMN last_automatic_reply_at timestamptz`,
    );
    await queryRunner.query(`ALTER TABLE routing.customer ADD COLUMN merged_into text`);
    await queryRunner.query(
      `CREATE INDEX customer_identity_owner ON routing.customer_identity (customer_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE routing.link_token (
        token       text PRIMARY KEY,
        customer_id text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE routing.timer (
        kind    text NOT NULL CHECK (kind IN ('overflow', 'first-response', 'agent-away')),
        subject text NOT NULL,
        due_at  timestamptz NOT NULL,
        PRIMARY KEY (kind, subject)
      )`);
    await queryRunner.query(`CREATE INDEX timer_due ON routing.timer (due_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE routing.timer`);
    await queryRunner.query(`DROP TABLE routing.link_token`);
    await queryRunner.query(`DROP INDEX routing.customer_identity_owner`);
    await queryRunner.query(`ALTER TABLE routing.customer DROP COLUMN merged_into`);
    await queryRunner.query(`ALTER TABLE routing.conversation DROP COLUMN last_automatic_reply_at`);
    await queryRunner.query(`
      ALTER TABLE routing.ticket
        DROP COLUMN number, DROP COLUMN first_responded_at, DROP COLUMN awaiting_agent`);
    await queryRunner.query(`DROP SEQUENCE routing.ticket_number`);
  }
}

/**
 * Threading by message ids: every message the router routed and every message the tickets
 * service sent is remembered with its ticket, so an answer naming any of them continues it; and
 * tickets are found by the number a customer quotes.
 */
export class AddThreadMessages1764200000000 implements MigrationInterface {
  readonly name = 'AddThreadMessages1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE routing.thread_message (
        message_id text PRIMARY KEY,
        ticket_id  text NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX ticket_by_number ON routing.ticket (number)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX routing.ticket_by_number`);
    await queryRunner.query(`DROP TABLE routing.thread_message`);
  }
}

/**
 * Identities trusted only when proven (docs/adr/0014-identity.md): a customer made for a typed
 * identity is provisional until its owner verifies it, the identities customers typed are kept
 * as claims beside the proven ones, and link tokens are used once, within their lifetime.
 */
export class AddProvisionalCustomers1768000000000 implements MigrationInterface {
  readonly name = 'AddProvisionalCustomers1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE routing.customer ADD COLUMN provisional boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`
      CREATE TABLE routing.identity_claim (
        customer_id text NOT NULL,
        kind        integer NOT NULL,
        value       text NOT NULL,
        PRIMARY KEY (customer_id, kind, value)
      )`);
    // Tokens issued before this migration count as issued now: none is cut short by it.
    await queryRunner.query(`
      ALTER TABLE routing.link_token
        ADD COLUMN issued_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN used_at timestamptz`); // Typed email addresses stored as identities so far were never proven: they become claims,
    // and a customer who has nothing else is provisional. (A typed phone was stored as PHONE and
    // cannot be told from a proven one; it stays.)
    await queryRunner.query(`
      INSERT INTO routing.identity_claim (customer_id, kind, value)
      SELECT customer_id, kind, value FROM routing.customer_identity WHERE kind = 5 -- WEBFORM_EMAIL`);
    await queryRunner.query(`DELETE FROM routing.customer_identity WHERE kind = 5`);
    await queryRunner.query(`
      UPDATE routing.customer c SET provisional = true
       WHERE EXISTS (SELECT 1 FROM routing.identity_claim a WHERE a.customer_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM routing.customer_identity i WHERE i.customer_id = c.id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE routing.link_token DROP COLUMN issued_at, DROP COLUMN used_at`,
    );
    await queryRunner.query(`
      INSERT INTO routing.customer_identity (kind, value, customer_id)
      SELECT DISTINCT ON (kind, value) kind, value, customer_id FROM routing.identity_claim
       WHERE kind = 5 ORDER BY kind, value, customer_id
      ON CONFLICT DO NOTHING`);
    await queryRunner.query(`DROP TABLE routing.identity_claim`);
    await queryRunner.query(`ALTER TABLE routing.customer DROP COLUMN provisional`);
  }
}

/**
 * The router's `routing.ticket` is the one table that holds ticket numbers (docs/adr/0015): its
 * sequence makes them, and this index keeps them unique for everyone who copies them.
 */
export class UniqueTicketNumbers1769500000000 implements MigrationInterface {
  readonly name = 'UniqueTicketNumbers1769500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX routing.ticket_by_number`);
    await queryRunner.query(`CREATE UNIQUE INDEX ticket_by_number ON routing.ticket (number)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX routing.ticket_by_number`);
    await queryRunner.query(`CREATE INDEX ticket_by_number ON routing.ticket (number)`);
  }
}

/**
 * The teams' default live-chat capacity (Team.default_chat_capacity), beside the agents' rows so
 * that reading an agent's capacity stays one statement under the agent's lock. No backfill: the
 * field is newer than every team record already held.
 */
export class AddTeamChatCapacity1770100000000 implements MigrationInterface {
  readonly name = 'AddTeamChatCapacity1770100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE routing.team_chat_capacity (
        team_id text PRIMARY KEY,
        chats   integer NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE routing.team_chat_capacity`);
  }
}

/**
 * The answer-time forecast reads each team's latest resolved tickets on every routing
 * (answer-estimates.store.ts): this index finds them without scanning the team's history.
 */
export class IndexResolvedTicketsByTeam1770230000000 implements MigrationInterface {
  readonly name = 'IndexResolvedTicketsByTeam1770230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX ticket_team_resolved ON routing.ticket (team_id, resolved_at DESC)
        WHERE resolved_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX routing.ticket_team_resolved`);
  }
}

/**
 * Messages routed to a ticket that tickets has not recorded yet keep a resolved ticket on its
 * agent's capacity (`HOLDS_ITS_AGENT` in tickets.store.ts), and the load index covers them.
 */
export class CountUnrecordedMessages1770300000000 implements MigrationInterface {
  readonly name = 'CountUnrecordedMessages1770300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE routing.ticket ADD COLUMN unrecorded_messages integer NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(`DROP INDEX routing.ticket_agent_load`);
    await queryRunner.query(`
      CREATE INDEX ticket_agent_load ON routing.ticket (assigned_agent_id, channel)
      WHERE state = 'open' OR (state = 'resolved' AND unrecorded_messages > 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX routing.ticket_agent_load`);
    await queryRunner.query(`
      CREATE INDEX ticket_agent_load ON routing.ticket (assigned_agent_id, channel)
      WHERE state = 'open'`);
    await queryRunner.query(`ALTER TABLE routing.ticket DROP COLUMN unrecorded_messages`);
  }
}
