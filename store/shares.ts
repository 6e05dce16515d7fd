// shared_indicators and partner_deliveries: what is shared at which TLP, and the webhooks owed.
import type { Db, Queryable } from './db.ts'
import type { Tlp } from './partners.ts'

export interface SharedIndicator {
  sha256: string
  tlp: Tlp
  /** the confirm decision it came from */
  decisionId: number
  revoked: boolean
  version: number
  /** when this version was made: the TAXII date added */
  modified: string
}

interface ShareRow {
  sha256: string
  tlp: Tlp
  decision_id: number
  revoked: boolean
  version: number
  modified: string
}

const toShare = (r: ShareRow): SharedIndicator => ({
  sha256: r.sha256,
  tlp: r.tlp,
  decisionId: r.decision_id,
  revoked: r.revoked,
  version: r.version,
  modified: r.modified,
})

const SHARE_COLUMNS = 'sha256, tlp, decision_id, revoked, version, modified'

/** A confirm shares the script (again): a new version, not revoked. */
export async function shareConfirmed(
  db: Queryable,
  s: { sha256: string; decisionId: number; tlp: Tlp },
): Promise<SharedIndicator> {
  const [row] = await db.query<ShareRow>(
    `INSERT INTO shared_indicators (sha256, tlp, decision_id) VALUES ($1, $2, $3)
     ON CONFLICT (sha256) DO UPDATE SET tlp = excluded.tlp, decision_id = excluded.decision_id,
       revoked = false, version = shared_indicators.version + 1, modified = clock_timestamp()
     RETURNING ${SHARE_COLUMNS}`,
    [s.sha256, s.tlp, s.decisionId],
  )
  if (!row) throw new Error('INSERT INTO shared_indicators returned nothing')
  return toShare(row)
}

/** Marks a shared script revoked; null when it was never shared or is revoked already. */
export async function shareRevoked(db: Queryable, sha256: string): Promise<SharedIndicator | null> {
  const [row] = await db.query<ShareRow>(
    `UPDATE shared_indicators SET revoked = true, version = version + 1, modified = clock_timestamp()
     WHERE sha256 = $1 AND NOT revoked RETURNING ${SHARE_COLUMNS}`,
    [sha256],
  )
  return row ? toShare(row) : null
}

/** Changes the TLP of a shared script; null when it was never shared. */
export async function setShareTlp(
  db: Queryable,
  sha256: string,
  tlp: Tlp,
): Promise<SharedIndicator | null> {
  const [row] = await db.query<ShareRow>(
    `UPDATE shared_indicators SET tlp = $2, version = version + 1, modified = clock_timestamp()
     WHERE sha256 = $1 RETURNING ${SHARE_COLUMNS}`,
    [sha256, tlp],
  )
  return row ? toShare(row) : null
}

export async function getShare(db: Queryable, sha256: string): Promise<SharedIndicator | null> {
  const [row] = await db.query<ShareRow>(
    `SELECT ${SHARE_COLUMNS} FROM shared_indicators WHERE sha256 = $1`,
    [sha256],
  )
  return row ? toShare(row) : null
}

/** Every shared script at one of the given TLPs, oldest change first. */
export async function listShares(db: Queryable, tlps: readonly Tlp[]): Promise<SharedIndicator[]> {
  const rows = await db.query<ShareRow>(
    `SELECT ${SHARE_COLUMNS} FROM shared_indicators WHERE tlp = ANY($1::text[])
     ORDER BY modified, sha256`,
    [[...tlps]],
  )
  return rows.map(toShare)
}

export interface Delivery {
  id: number
  partnerId: number
  sha256: string
  event: 'confirmed' | 'revoked'
  version: number
  body: string
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'dead'
  attempts: number
  lastError: string | null
  url: string
  secret: string
}

/** Records a webhook owed; false when that partner already has this event of this version. */
export async function enqueueDelivery(
  db: Queryable,
  d: { partnerId: number; sha256: string; event: Delivery['event']; version: number; body: string },
): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO partner_deliveries (partner_id, sha256, event, version, body)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
    [d.partnerId, d.sha256, d.event, d.version, d.body],
  )
  return rows.length === 1
}

interface DeliveryRow {
  id: number
  partner_id: number
  sha256: string
  event: Delivery['event']
  version: number
  body: string
  status: Delivery['status']
  attempts: number
  last_error: string | null
  webhook_url: string
  webhook_secret: string
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  partnerId: r.partner_id,
  sha256: r.sha256,
  event: r.event,
  version: r.version,
  body: r.body,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  url: r.webhook_url,
  secret: r.webhook_secret,
})

/**
 * Claims due deliveries of partners still active: each row is leased for `leaseSeconds`, so two
 * senders never post the same row at once and a sender that died gives it back.
 */
export async function claimDeliveries(
  db: Db,
  limit: number,
  leaseSeconds: number,
): Promise<Delivery[]> {
  const rows = await db.query<DeliveryRow>(
    `UPDATE partner_deliveries d
        SET status = 'sending', attempts = d.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2)
       FROM partners p
      WHERE p.id = d.partner_id AND d.id IN (
        SELECT x.id FROM partner_deliveries x JOIN partners q ON q.id = x.partner_id
         WHERE x.status IN ('pending', 'failed', 'sending') AND x.next_attempt_at <= now()
           AND q.revoked_at IS NULL AND q.webhook_url IS NOT NULL
         ORDER BY x.id LIMIT $1 FOR UPDATE OF x SKIP LOCKED)
      RETURNING d.id, d.partner_id, d.sha256, d.event, d.version, d.body, d.status, d.attempts,
                d.last_error, p.webhook_url, p.webhook_secret`,
    [limit, leaseSeconds],
  )
  return rows.map(toDelivery)
}

export async function markDelivered(db: Queryable, id: number): Promise<void> {
  await db.query(
    `UPDATE partner_deliveries SET status = 'sent', sent_at = now(), last_error = NULL
     WHERE id = $1`,
    [id],
  )
}

/** A failed attempt: retried after `retrySeconds`, or given up once `dead` is true. */
export async function markFailed(
  db: Queryable,
  f: { id: number; error: string; retrySeconds: number; dead: boolean },
): Promise<void> {
  await db.query(
    `UPDATE partner_deliveries
        SET status = $3, last_error = $2, next_attempt_at = now() + make_interval(secs => $4)
      WHERE id = $1`,
    [f.id, f.error.slice(0, 500), f.dead ? 'dead' : 'failed', f.retrySeconds],
  )
}

export async function listDeliveries(db: Queryable, partnerId?: number): Promise<Delivery[]> {
  const rows = await db.query<DeliveryRow>(
    `SELECT d.*, p.webhook_url, p.webhook_secret FROM partner_deliveries d
       JOIN partners p ON p.id = d.partner_id
      WHERE $1::bigint IS NULL OR d.partner_id = $1 ORDER BY d.id`,
    [partnerId ?? null],
  )
  return rows.map(toDelivery)
}
