// host_slots: the per-host politeness limits, shared by every worker of one database.
import type { Db } from './db.ts'

// one lock for all slot changes: each is a few rows, and check-then-take must be atomic
const LOCK = `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.skimwatch_host_slots'))`

/** Takes every slot in `slots` for `token` when all are free and `next` has passed; else ms to wait. */
export function tryTakeHostSlots(
  db: Db,
  slots: string[],
  next: string,
  token: string,
  ttlMs: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(LOCK)
    const [row] = await tx.query<{ wait: number }>(
      `SELECT coalesce(ceil(max(extract(epoch FROM until - clock_timestamp()) * 1000)), 0)::int AS wait
       FROM host_slots
       WHERE until > clock_timestamp() AND ((key = ANY($1::text[]) AND holder <> $3) OR key = $2)`,
      [slots, next, token],
    )
    const wait = row?.wait ?? 0
    if (wait > 0) return wait
    await tx.query(
      `INSERT INTO host_slots (key, holder, until)
       SELECT k, $2, clock_timestamp() + $3 * interval '1 millisecond' FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, until = excluded.until`,
      [slots, token, ttlMs],
    )
    return 0
  })
}

/** Frees the slots `token` holds and keeps the host's next visit `pauseMs` away. */
export function releaseHostSlots(
  db: Db,
  slots: string[],
  next: string,
  token: string,
  pauseMs: number,
): Promise<void> {
  return db.transaction(async (tx) => {
    await tx.query(LOCK)
    await tx.query('DELETE FROM host_slots WHERE key = ANY($1::text[]) AND holder = $2', [
      slots,
      token,
    ])
    if (pauseMs > 0)
      await tx.query(
        `INSERT INTO host_slots (key, holder, until)
         VALUES ($1, '', clock_timestamp() + $2 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET holder = '', until = excluded.until`,
        [next, pauseMs],
      )
    // expired rows of hosts not seen again are dropped now and then, not on every visit
    if (Math.random() < 0.01)
      await tx.query(`DELETE FROM host_slots WHERE until < clock_timestamp() - interval '1 hour'`)
  })
}
