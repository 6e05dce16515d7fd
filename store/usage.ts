// How much room skimwatch's tables take in its schema (indexes and TOAST included).
import type { Queryable } from './db.ts'

export async function storageBytes(db: Queryable): Promise<number> {
  const rows = await db.query<{ bytes: string | number | bigint | null }>(
    `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`,
  )
  return Number(rows[0]?.bytes ?? 0)
}
