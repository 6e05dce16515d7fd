// decisions: what analysts said about a script or a host, with who and when; revoked, never deleted.
import type { Queryable } from './db.ts'

export type DecisionKind = 'confirm' | 'false-positive' | 'allowlist'

export interface DecisionRecord {
  id: number
  kind: DecisionKind
  sha256: string | null
  host: string | null
  reason: string
  /** YYYY-MM-DD, the last day it holds; null for no expiry */
  expires: string | null
  createdBy: string
  createdAt: string
  revokedBy: string | null
  revokedAt: string | null
}

export interface NewDecision {
  kind: DecisionKind
  sha256: string | null
  host: string | null
  reason: string
  expires: string | null
  userId: number
}

interface Row {
  id: number
  kind: DecisionKind
  sha256: string | null
  host: string | null
  reason: string
  expires: string | null
  created_by: string
  created_at: string
  revoked_by: string | null
  revoked_at: string | null
}

const toRecord = (r: Row): DecisionRecord => ({
  id: r.id,
  kind: r.kind,
  sha256: r.sha256,
  host: r.host,
  reason: r.reason,
  expires: r.expires === null ? null : r.expires.slice(0, 10),
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedBy: r.revoked_by,
  revokedAt: r.revoked_at,
})

const SELECT = `SELECT d.id, d.kind, d.sha256, d.host, d.reason, d.expires::text AS expires,
       c.name AS created_by, d.created_at, r.name AS revoked_by, d.revoked_at
  FROM decisions d JOIN users c ON c.id = d.created_by LEFT JOIN users r ON r.id = d.revoked_by`

export async function addDecision(db: Queryable, d: NewDecision): Promise<DecisionRecord> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO decisions (kind, sha256, host, reason, expires, created_by)
     VALUES ($1, $2, $3, $4, $5::date, $6) RETURNING id`,
    [d.kind, d.sha256, d.host, d.reason, d.expires, d.userId],
  )
  if (!row) throw new Error('INSERT INTO decisions returned no id')
  const rec = await getDecision(db, row.id)
  if (!rec) throw new Error(`decision ${row.id} vanished`)
  return rec
}

export async function getDecision(db: Queryable, id: number): Promise<DecisionRecord | null> {
  const [row] = await db.query<Row>(`${SELECT} WHERE d.id = $1`, [id])
  return row ? toRecord(row) : null
}

/** Reverses a decision; false when it was already reversed or does not exist. */
export async function revokeDecision(db: Queryable, id: number, userId: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    `UPDATE decisions SET revoked_by = $2, revoked_at = now()
     WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
    [id, userId],
  )
  return rows.length === 1
}

/** Decisions in force today (not reversed, not expired), newest first. */
export async function activeDecisions(db: Queryable): Promise<DecisionRecord[]> {
  const rows = await db.query<Row>(
    `${SELECT} WHERE d.revoked_at IS NULL AND (d.expires IS NULL OR d.expires >= current_date)
     ORDER BY d.id DESC`,
  )
  return rows.map(toRecord)
}

/** Every decision, reversed and expired ones included, newest first. */
export async function listDecisions(
  db: Queryable,
  filter: { sha256?: string } = {},
): Promise<DecisionRecord[]> {
  const rows = filter.sha256
    ? await db.query<Row>(`${SELECT} WHERE d.sha256 = $1 ORDER BY d.id DESC`, [filter.sha256])
    : await db.query<Row>(`${SELECT} ORDER BY d.id DESC`)
  return rows.map(toRecord)
}
