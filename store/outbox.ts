// outbox: one row per (site, finding set) key, so a crash or retry never sends twice.
import type { Queryable } from './db.ts'

/** withdrawn: set aside by an analyst's decision or hold; never claimed for delivery */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'withdrawn'

export interface OutboxRecord {
  id: number
  key: string
  siteId: number | null
  scanId: number | null
  to: string[]
  subject: string
  text: string
  html: string
  status: OutboxStatus
  path: string | null
  messageId: string | null
  createdAt: string
  sentAt: string | null
}

export interface NewEmail {
  key: string
  siteId: number | null
  scanId: number | null
  to: string[]
  subject: string
  text: string
  html: string
}

interface Row {
  id: number
  key: string
  site_id: number | null
  scan_id: number | null
  recipients: string[]
  subject: string
  text: string
  html: string
  status: OutboxStatus
  path: string | null
  message_id: string | null
  created_at: string
  sent_at: string | null
}

const toRecord = (r: Row): OutboxRecord => ({
  id: r.id,
  key: r.key,
  siteId: r.site_id,
  scanId: r.scan_id,
  to: r.recipients,
  subject: r.subject,
  text: r.text,
  html: r.html,
  status: r.status,
  path: r.path,
  messageId: r.message_id,
  createdAt: r.created_at,
  sentAt: r.sent_at,
})

export async function enqueueEmail(
  db: Queryable,
  msg: NewEmail,
): Promise<{ id: number; created: boolean }> {
  const [inserted] = await db.query<{ id: number }>(
    `INSERT INTO outbox (key, site_id, scan_id, recipients, subject, text, html)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [msg.key, msg.siteId, msg.scanId, JSON.stringify(msg.to), msg.subject, msg.text, msg.html],
  )
  if (inserted) return { id: inserted.id, created: true }
  const [existing] = await db.query<{ id: number }>('SELECT id FROM outbox WHERE key = $1', [
    msg.key,
  ])
  if (!existing) throw new Error(`outbox row for key ${msg.key} vanished`)
  return { id: existing.id, created: false }
}

export async function markEmailSent(
  db: Queryable,
  id: number,
  result: { path: string | null; messageId: string | null },
): Promise<void> {
  await db.query(
    `UPDATE outbox SET status = 'sent', path = $2, message_id = $3, error = NULL,
            sent_at = coalesce(sent_at, now())
     WHERE id = $1`,
    [id, result.path, result.messageId],
  )
}

/** Takes a pending or failed email for delivery; false when another sender has it or it is sent. */
export async function claimEmail(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `UPDATE outbox SET status = 'sending', claimed_at = now()
     WHERE id = $1 AND status IN ('pending', 'failed') RETURNING id`,
    [id],
  )
  return rows.length === 1
}

export async function markEmailFailed(db: Queryable, id: number, error: string): Promise<void> {
  // never downgrade a message that already went out
  await db.query(
    `UPDATE outbox SET status = 'failed', error = $2 WHERE id = $1 AND status <> 'sent'`,
    [id, error],
  )
}

export async function pendingEmails(db: Queryable): Promise<OutboxRecord[]> {
  const rows = await db.query<Row>(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY id`)
  return rows.map(toRecord)
}

export async function getEmail(db: Queryable, id: number): Promise<OutboxRecord | null> {
  const [row] = await db.query<Row>('SELECT * FROM outbox WHERE id = $1', [id])
  return row ? toRecord(row) : null
}
