import type { DataSource } from 'typeorm';

/** Up when `SELECT 1` answers within the timeout, for the service's /health. */
export async function databaseHealth(
  dataSource: DataSource,
  timeoutMs = 2_000,
): Promise<{ up: boolean; detail?: string }> {
  if (!dataSource.isInitialized) return { up: false, detail: 'not connected' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer to SELECT 1 within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
    return { up: true };
  } catch (error) {
    return { up: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
