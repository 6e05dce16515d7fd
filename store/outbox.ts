// outbox: one row per (site, finding set) key, written before sending and marked after.
// A sender holds the row locked while it talks to the mail server: a sender that dies releases it
// with its connection, and the next one sends the same message (same Message-ID) once.
import type { SendOutcome } from '../core/types.ts'
import type { Db, Queryable } from './db.ts'

/** withdrawn: set aside by an analyst's decision or hold; never claimed for delivery */
export type OutboxStatus =
  'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | 'suppressed' | 'withdrawn'
export type MailKind = 'notice' | 'reminder' | 'resolved'

export interface OutboxRecord {
  id: number
  key: string
  kind: MailKind
  siteId: number | null
  scanId: number | null
  caseId: number | null
  to: string[]
  subject: string
  text: string
  html: string
  status: OutboxStatus
  attempts: number
  error: string | null
  path: string | null
  messageId: string | null
  unsubscribeUrl: string | null
  createdAt: string
  sentAt: string | null
}

export interface NewEmail {
  key: string
  kind?: MailKind
  siteId: number | null
  scanId: number | null
  caseId?: number | null
  to: string[]
  subject: string
  text: string
  html: string
  unsubscribeToken?: string | null
  unsubscribeUrl?: string | null
  /** awaits an analyst's release before it can be sent (low-confidence verdicts) */
  held?: boolean
}

interface Row {
  id: number
  key: string
  kind: MailKind
  site_id: number | null
  scan_id: number | null
  case_id: number | null
  recipients: string[]
  subject: string
  text: string
  html: string
  status: OutboxStatus
  attempts: number
  error: string | null
  path: string | null
  message_id: string | null
  unsubscribe_url: string | null
  created_at: string
  sent_at: string | null
}

const toRecord = (r: Row): OutboxRecord => ({
  id: r.id,
  key: r.key,
  kind: r.kind,
  siteId: r.site_id,
  scanId: r.scan_id,
  caseId: r.case_id,
  to: r.recipients,
  subject: r.subject,
  text: r.text,
  html: r.html,
  status: r.status,
  attempts: r.attempts,
  error: r.error,
  path: r.path,
  messageId: r.message_id,
  unsubscribeUrl: r.unsubscribe_url,
  createdAt: r.created_at,
  sentAt: r.sent_at,
})

/** A temporary failure is tried again this many times in all, with a growing pause. */
export const MAX_ATTEMPTS = 8
const retryDelaySeconds = (attempts: number) => Math.min(60 * 2 ** (attempts - 1), 6 * 3600)

export async function enqueueEmail(
  db: Queryable,
  msg: NewEmail,
): Promise<{ id: number; created: boolean }> {
  const [inserted] = await db.query<{ id: number }>(
    `INSERT INTO outbox (key, kind, site_id, scan_id, case_id, recipients, subject, text, html,
                         unsubscribe_token, unsubscribe_url, status, withdrawn_from)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11,
             CASE WHEN $12::boolean THEN 'withdrawn' ELSE 'pending' END,
             CASE WHEN $12::boolean THEN 'pending' END)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [
      msg.key,
      msg.kind ?? 'notice',
      msg.siteId,
      msg.scanId,
      msg.caseId ?? null,
      JSON.stringify(msg.to),
      msg.subject,
      msg.text,
      msg.html,
      msg.unsubscribeToken ?? null,
      msg.unsubscribeUrl ?? null,
      msg.held ?? false,
    ],
  )
  if (inserted) return { id: inserted.id, created: true }
  const [existing] = await db.query<{ id: number }>('SELECT id FROM outbox WHERE key = $1', [
    msg.key,
  ])
  if (!existing) throw new Error(`outbox row for key ${msg.key} vanished`)
  return { id: existing.id, created: false }
}

export interface DeliveryResult {
  /** the row's status after this call; null when there is no such row */
  status: OutboxStatus | null
  /** what the attempt came to; null when nothing was attempted (sent, withdrawn, suppressed) */
  outcome: SendOutcome | null
}

/**
 * Sends a pending or failed email once: the row stays locked from before the first byte reaches
 * the mail server until the outcome is recorded. A second sender waits for the lock and then finds
 * the row sent. Recipients suppressed since the email was queued are dropped first.
 */
export async function deliverEmail(
  db: Db,
  id: number,
  send: (email: OutboxRecord) => Promise<SendOutcome>,
  limits: DeliveryLimits = {},
): Promise<DeliveryResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<Row>('SELECT * FROM outbox WHERE id = $1 FOR UPDATE', [id])
    if (!row) return { status: null, outcome: null }
    if (row.status !== 'pending' && row.status !== 'failed') {
      return { status: row.status, outcome: null }
    }
    const blocked = new Set(
      (
        await tx.query<{ address: string }>(
          'SELECT address FROM suppressions WHERE address = ANY($1::text[])',
          [row.recipients.map((a) => a.toLowerCase())],
        )
      ).map((r) => r.address),
    )
    const to = row.recipients.filter((a) => !blocked.has(a.toLowerCase()))
    if (to.length === 0) {
      await tx.query(`UPDATE outbox SET status = 'suppressed' WHERE id = $1`, [id])
      await caseEvent(tx, row.case_id, 'suppressed', row.recipients.join(', '), row.kind)
      return { status: 'suppressed', outcome: null }
    }
    const busy = limits.perDomainPerHour ? await busyDomain(tx, to, limits.perDomainPerHour) : null
    if (busy) {
      // not an attempt: the email waits until the domain's hour has room again
      await tx.query(
        `UPDATE outbox SET next_attempt_at = now() + interval '10 minutes' WHERE id = $1`,
        [id],
      )
      const error = `rate limit: ${limits.perDomainPerHour} emails an hour to ${busy} already sent`
      return { status: row.status, outcome: { kind: 'retry', error } }
    }
    const outcome = await send({ ...toRecord(row), to })
    return { status: await record(tx, row, to, outcome), outcome }
  })
}

export interface DeliveryLimits {
  /** emails sent at most in any hour to recipients at one domain (an abuse desk gets many) */
  perDomainPerHour?: number | undefined
}

/** The first recipient domain that had `limit` emails in the last hour, if any. */
async function busyDomain(tx: Queryable, to: string[], limit: number): Promise<string | null> {
  const domains = [...new Set(to.map((a) => (a.split('@').pop() ?? '').toLowerCase()))]
  const rows = await tx.query<{ domain: string }>(
    `SELECT lower(split_part(r.address, '@', 2)) AS domain
     FROM outbox o, jsonb_array_elements_text(o.recipients) AS r(address)
     WHERE o.status = 'sent' AND o.sent_at > now() - interval '1 hour'
       AND lower(split_part(r.address, '@', 2)) = ANY($1::text[])
     GROUP BY 1 HAVING count(*) >= $2 ORDER BY 1 LIMIT 1`,
    [domains, limit],
  )
  return rows[0]?.domain ?? null
}

async function record(
  tx: Queryable,
  row: Row,
  to: string[],
  outcome: SendOutcome,
): Promise<OutboxStatus> {
  const attempts = row.attempts + 1
  if (outcome.kind === 'sent') {
    await tx.query(
      `UPDATE outbox SET status = 'sent', attempts = $2, path = $3, message_id = $4,
              error = NULL, sent_at = now()
       WHERE id = $1`,
      [row.id, attempts, outcome.path, outcome.messageId],
    )
    await caseEvent(tx, row.case_id, 'sent', to.join(', '), row.kind)
    if (row.case_id !== null) {
      await tx.query('UPDATE cases SET last_mail_at = now() WHERE id = $1', [row.case_id])
    }
    return 'sent'
  }
  if (outcome.kind === 'retry' && attempts < MAX_ATTEMPTS) {
    await tx.query(
      `UPDATE outbox SET status = 'failed', attempts = $2, error = $3,
              next_attempt_at = now() + make_interval(secs => $4)
       WHERE id = $1`,
      [row.id, attempts, outcome.error, retryDelaySeconds(attempts)],
    )
    await caseEvent(tx, row.case_id, 'retry', to.join(', '), outcome.error)
    return 'failed'
  }
  await tx.query(`UPDATE outbox SET status = 'bounced', attempts = $2, error = $3 WHERE id = $1`, [
    row.id,
    attempts,
    outcome.error,
  ])
  for (const address of to) await suppress(tx, address, 'bounced', outcome.error)
  await caseEvent(tx, row.case_id, 'bounced', to.join(', '), outcome.error)
  return 'bounced'
}

export async function caseEvent(
  db: Queryable,
  caseId: number | null,
  kind: string,
  address: string | null,
  detail: string | null,
): Promise<void> {
  if (caseId === null) return
  await db.query(
    'INSERT INTO case_events (case_id, kind, address, detail) VALUES ($1, $2, $3, $4)',
    [caseId, kind, address, detail],
  )
}

/** Emails whose first or next attempt is due, oldest first. */
export async function dueEmails(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT id FROM outbox WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
     ORDER BY next_attempt_at, id`,
  )
  return rows.map((r) => r.id)
}

export async function suppress(
  db: Queryable,
  address: string,
  reason: 'unsubscribed' | 'bounced' | 'manual',
  detail: string | null,
): Promise<void> {
  await db.query(
    `INSERT INTO suppressions (address, reason, detail) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO NOTHING`,
    [address.toLowerCase(), reason, detail],
  )
}

export async function isSuppressed(db: Queryable, address: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM suppressions WHERE address = $1', [
    address.toLowerCase(),
  ])
  return rows.length > 0
}

/** One-click unsubscribe: every recipient of the email that carried the token is suppressed. */
export async function unsubscribe(db: Db, token: string): Promise<string[] | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ recipients: string[]; case_id: number | null }>(
      'SELECT recipients, case_id FROM outbox WHERE unsubscribe_token = $1',
      [token],
    )
    if (!row) return null
    for (const address of row.recipients) {
      await suppress(tx, address, 'unsubscribed', null)
      await caseEvent(tx, row.case_id, 'unsubscribed', address, null)
    }
    return row.recipients
  })
}

export async function pendingEmails(db: Queryable): Promise<OutboxRecord[]> {
  const rows = await db.query<Row>(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY id`)
  return rows.map(toRecord)
}

export async function getEmail(db: Queryable, id: number): Promise<OutboxRecord | null> {
  const [row] = await db.query<Row>('SELECT * FROM outbox WHERE id = $1', [id])
  return row ? toRecord(row) : null
}
