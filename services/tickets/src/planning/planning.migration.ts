import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents' presence over time, for the staffing planner's "agents online" (docs/adr/0025): the
 * directory keeps only each agent's current presence. One row per saved agent entry — whether it
 * left the agent online, and in which teams — written in the transaction that saves it. And an
 * index for reading a team's tickets of the last weeks, whatever their status.
 */
export class AddAgentPresenceLog1797400000000 implements MigrationInterface {
  readonly name = 'AddAgentPresenceLog1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE tickets.agent_presence_change (
         seq        bigserial PRIMARY KEY,
         agent_id   text NOT NULL,
         online     boolean NOT NULL,
         team_ids   text[] NOT NULL,
         changed_at timestamptz NOT NULL
       )`,
    );
    await queryRunner.query(
      `CREATE INDEX agent_presence_change_agent ON tickets.agent_presence_change (agent_id, changed_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX ticket_team_created ON tickets.ticket (team_id, created_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX tickets.ticket_team_created');
    await queryRunner.query('DROP TABLE tickets.agent_presence_change');
  }
}
