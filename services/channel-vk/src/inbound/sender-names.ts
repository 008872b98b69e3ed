import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VkApiClient } from '../vk-api.client';

/** Customers' names from users.get, asked once per user and kept in channel_vk.vk_user. */
@Injectable()
export class SenderNames {
  private readonly logger = new Logger(SenderNames.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly api: VkApiClient,
  ) {}

  /**
   * Names of these users; a user VK would not name (or an API failure) is left out rather than
   * holding back the message: the name is for display only.
   */
  async resolve(token: string, userIds: number[]): Promise<Map<number, string>> {
    const wanted = [...new Set(userIds.filter((id) => id > 0))];
    if (wanted.length === 0) return new Map();
    const cached: Array<{ user_id: string; display_name: string }> = await this.dataSource.query(
      'SELECT user_id, display_name FROM channel_vk.vk_user WHERE user_id = ANY($1::bigint[])',
      [wanted],
    );
    const names = new Map(cached.map((row) => [Number(row.user_id), row.display_name]));
    const missing = wanted.filter((id) => !names.has(id));
    if (missing.length === 0) return names;
    try {
      const fetched = await this.api.userNames(token, missing);
      if (fetched.size > 0) {
        const ids = [...fetched.keys()];
        await this.dataSource.query(
          `INSERT INTO channel_vk.vk_user (user_id, display_name)
           SELECT * FROM unnest($1::bigint[], $2::text[])
           ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name, fetched_at = now()`,
          [ids, ids.map((id) => fetched.get(id))],
        );
      }
      for (const [id, name] of fetched) names.set(id, name);
    } catch (error) {
      this.logger.warn(
        `users.get for ${missing.length} user(s) failed; names left empty: ${String(error)}`,
      );
    }
    return names;
  }
}
