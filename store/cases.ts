// cases: one per infection of a site, opened with the first notice, closed by a clean rescan.
import type { Queryable } from './db.ts'
import { caseEvent } from './outbox.ts'

export interface CaseRecord {
  id: number
  siteId: number
  openedAt: string
  openedScanId: number | null
  closedAt: string | null
  reminders: number
  lastMailAt: string | null
  lastScanAt: string
}

export interface CaseEvent {
  kind: string
  address: string | null
  detail: string | null
  at: string
}

interface Row {
  id: number
  site_id: number
  opened_at: string
  opened_scan_id: number | null
  closed_at: string | null
  reminders: number
  last_mail_at: string | null
  last_scan_at: string
}

const toRecord = (r: Row): CaseRecord => ({
  id: r.id,
  siteId: r.site_id,
  openedAt: r.opened_at,
  openedScanId: r.opened_scan_id,
  closedAt: r.closed_at,
  reminders: r.reminders,
  lastMailAt: r.last_mail_at,
  lastScanAt: r.last_scan_at,
})

/** The site's open case, opened now by this scan when there is none. */
export async function openCase(
  db: Queryable,
  siteId: number,
  scanId: number,
): Promise<{ case: CaseRecord; created: boolean }> {
  const [inserted] = await db.query<Row>(
    `INSERT INTO cases (site_id, opened_scan_id) VALUES ($1, $2)
     ON CONFLICT (site_id) WHERE closed_at IS NULL DO NOTHING RETURNING *`,
    [siteId, scanId],
  )
  if (inserted) {
    await caseEvent(db, inserted.id, 'opened', null, `scan ${scanId}`)
    return { case: toRecord(inserted), created: true }
  }
  const open = await openCaseOf(db, siteId)
  if (!open) throw new Error(`open case of site ${siteId} vanished`)
  return { case: open, created: false }
}

export async function openCaseOf(db: Queryable, siteId: number): Promise<CaseRecord | null> {
  const [row] = await db.query<Row>(
    'SELECT * FROM cases WHERE site_id = $1 AND closed_at IS NULL',
    [siteId],
  )
  return row ? toRecord(row) : null
}

export async function openCases(db: Queryable): Promise<CaseRecord[]> {
  const rows = await db.query<Row>('SELECT * FROM cases WHERE closed_at IS NULL ORDER BY id')
  return rows.map(toRecord)
}

/** Records a rescan of an open case (its verdict in the history). */
export async function noteRescan(
  db: Queryable,
  caseId: number,
  scanId: number,
  verdict: string,
): Promise<void> {
  await db.query('UPDATE cases SET last_scan_at = now() WHERE id = $1', [caseId])
  await caseEvent(db, caseId, 'rescan', null, `scan ${scanId}: ${verdict}`)
}

/** Counts reminder number `n` of the case once, however often it is recorded. */
export async function noteReminder(
  db: Queryable,
  caseId: number,
  n: number,
  address: string,
): Promise<void> {
  const rows = await db.query(
    'UPDATE cases SET reminders = $2 WHERE id = $1 AND reminders < $2 RETURNING id',
    [caseId, n],
  )
  if (rows.length > 0) await caseEvent(db, caseId, 'reminder', address, `reminder ${n}`)
}

/** Addresses this case's mails reached. */
export async function caseRecipients(db: Queryable, caseId: number): Promise<string[]> {
  const rows = await db.query<{ address: string }>(
    `SELECT DISTINCT jsonb_array_elements_text(recipients) AS address FROM outbox
     WHERE case_id = $1 AND status = 'sent' ORDER BY 1`,
    [caseId],
  )
  return rows.map((r) => r.address)
}

/** Closes the case; false when it was closed already (so "resolved" is said once). */
export async function closeCase(db: Queryable, caseId: number, scanId: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `UPDATE cases SET closed_at = now(), closed_scan_id = $2
     WHERE id = $1 AND closed_at IS NULL RETURNING id`,
    [caseId, scanId],
  )
  if (rows.length === 0) return false
  await caseEvent(db, caseId, 'resolved', null, `scan ${scanId}`)
  return true
}

export interface CaseHistory extends CaseRecord {
  domain: string
  events: CaseEvent[]
}

/** Every case, newest first, with its events in order. */
export async function caseHistory(db: Queryable): Promise<CaseHistory[]> {
  const rows = await db.query<Row & { domain: string; events: CaseEvent[] }>(
    `SELECT c.*, s.domain,
            coalesce((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'address', e.address,
                                       'detail', e.detail, 'at', e.at) ORDER BY e.id)
                      FROM case_events e WHERE e.case_id = c.id), '[]'::jsonb) AS events
     FROM cases c JOIN sites s ON s.id = c.site_id ORDER BY c.id DESC`,
  )
  return rows.map((r) => ({ ...toRecord(r), domain: r.domain, events: r.events }))
}
