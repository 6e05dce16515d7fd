// sites: one row per shop, domain unique (lowercased).
import type { Queryable } from './db.ts'

export interface SiteRecord {
  id: number
  domain: string
  url: string
  createdAt: string
  platform: string | null
}

interface Row {
  id: number
  domain: string
  url: string
  created_at: string
  platform: string | null
}

const toSite = (r: Row): SiteRecord => ({
  id: r.id,
  domain: r.domain,
  url: r.url,
  createdAt: r.created_at,
  platform: r.platform,
})

/** Existing domains (and repeats within the list) are merged: the first URL seen is kept. */
export async function addSites(
  db: Queryable,
  entries: { domain: string; url: string }[],
): Promise<{ added: number; merged: number }> {
  const byDomain = new Map<string, string>()
  for (const e of entries) {
    const domain = e.domain.trim().toLowerCase()
    if (!byDomain.has(domain)) byDomain.set(domain, e.url)
  }
  if (byDomain.size === 0) return { added: 0, merged: entries.length }
  const rows = await db.query<{ id: number }>(
    `INSERT INTO sites (domain, url)
     SELECT d, u FROM unnest($1::text[], $2::text[]) AS t (d, u)
     ON CONFLICT (domain) DO NOTHING
     RETURNING id`,
    [[...byDomain.keys()], [...byDomain.values()]],
  )
  return { added: rows.length, merged: entries.length - rows.length }
}

export async function listSites(db: Queryable): Promise<SiteRecord[]> {
  return (await db.query<Row>('SELECT * FROM sites ORDER BY id')).map(toSite)
}

export async function getSite(db: Queryable, id: number): Promise<SiteRecord | null> {
  const [row] = await db.query<Row>('SELECT * FROM sites WHERE id = $1', [id])
  return row ? toSite(row) : null
}

export async function setSitePlatform(
  db: Queryable,
  id: number,
  platform: string | null,
): Promise<void> {
  await db.query('UPDATE sites SET platform = $2 WHERE id = $1', [id, platform])
}
