// partners: who receives shared indicators, up to which TLP, by TAXII token and webhook.
import type { Queryable } from './db.ts'

/** TLP 2.0 labels, least restricted first: a partner receives its ceiling and everything below. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const
export type Tlp = (typeof TLP_LEVELS)[number]

export interface PartnerRecord {
  id: number
  name: string
  tlp: Tlp
  webhookUrl: string | null
  /** the key webhook bodies are signed with; never shown after creation */
  webhookSecret: string | null
  createdAt: string
  revokedAt: string | null
}

export interface NewPartner {
  name: string
  tlp: Tlp
  tokenHash: string
  webhookUrl: string | null
  webhookSecret: string | null
}

interface Row {
  id: number
  name: string
  tlp: Tlp
  webhook_url: string | null
  webhook_secret: string | null
  created_at: string
  revoked_at: string | null
}

const COLUMNS = 'id, name, tlp, webhook_url, webhook_secret, created_at, revoked_at'

const toRecord = (r: Row): PartnerRecord => ({
  id: r.id,
  name: r.name,
  tlp: r.tlp,
  webhookUrl: r.webhook_url,
  webhookSecret: r.webhook_secret,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
})

/** Adds a partner; null when the name is taken. */
export async function addPartner(db: Queryable, p: NewPartner): Promise<PartnerRecord | null> {
  const [row] = await db.query<Row>(
    `INSERT INTO partners (name, tlp, token_hash, webhook_url, webhook_secret)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
    [p.name, p.tlp, p.tokenHash, p.webhookUrl, p.webhookSecret],
  )
  return row ? toRecord(row) : null
}

export async function listPartners(db: Queryable): Promise<PartnerRecord[]> {
  return (await db.query<Row>(`SELECT ${COLUMNS} FROM partners ORDER BY name`)).map(toRecord)
}

/** Revokes a partner's access and webhook; false when unknown or already revoked. */
export async function revokePartner(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query<{ id: number }>(
    'UPDATE partners SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [id],
  )
  return rows.length === 1
}

export async function partnerForToken(
  db: Queryable,
  tokenHash: string,
): Promise<PartnerRecord | null> {
  const [row] = await db.query<Row>(
    `SELECT ${COLUMNS} FROM partners WHERE token_hash = $1 AND revoked_at IS NULL`,
    [tokenHash],
  )
  return row ? toRecord(row) : null
}
