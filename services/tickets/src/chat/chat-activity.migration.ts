import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A live-chat visitor typing names their conversation, not a ticket: the console's cue needs the
 * conversation's ticket, found by this index rather than by reading every ticket.
 */
export class AddTicketConversationIndex1769900000000 implements MigrationInterface {
  readonly name = 'AddTicketConversationIndex1769900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX ticket_conversation ON tickets.ticket (conversation_key, created_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX tickets.ticket_conversation');
  }
}
