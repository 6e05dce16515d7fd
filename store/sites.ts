// sites: one row per shop, domain unique (lowercased).
import type { Queryable } from './db.ts'

export interface SiteRecord {
  id: number
  domain: string
  url: string
  createdAt: string
  platform: string | null
  /** why the site's last crawl failed for good (no scan stored), until its next scan */
  failure: string | null
}

interface Row {
  id: number
  domain: string
  url: string
  created_at: string
  platform: string | null
  failure: string | null
}

const toSite = (r: Row): SiteRecord => ({
  id: r.id,
  domain: r.domain,
  url: r.url,
  createdAt: r.created_at,
  platform: r.platform,
  failure: r.failure,
})

/** One INSERT per chunk: a 10,000-line list never builds one giant statement. */
const CHUNK = 2_000

/** Existing domains (and repeats within the list) are merged: the first URL seen is kept. */
export async function addSites(
  db: Queryable,
  entries: { domain: string; url: string }[],
  onChunk?: (done: number, total: number) => void,
): Promise<{ added: number; merged: number }> {
  const byDomain = new Map<string, string>()
  for (const e of entries) {
    const domain = e.domain.trim().toLowerCase()
    if (!byDomain.has(domain)) byDomain.set(domain, e.url)
  }
  const all = [...byDomain]
  let added = 0
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = all.slice(i, i + CHUNK)
    const [row] = await db.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO sites (domain, url)
         SELECT d, u FROM unnest($1::text[], $2::text[]) AS t (d, u)
         ON CONFLICT (domain) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [chunk.map((e) => e[0]), chunk.map((e) => e[1])],
    )
    added += row?.n ?? 0
    onChunk?.(Math.min(i + CHUNK, all.length), all.length)
  }
  return { added, merged: entries.length - added }
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

export async function setSiteFailure(db: Queryable, id: number, reason: string): Promise<void> {
  await db.query('UPDATE sites SET failure = $2, failed_at = now() WHERE id = $1', [id, reason])
}

/** Each site's latest scan id (0 when never scanned): what a crawl job id is derived from. */
export async function latestScanBySite(db: Queryable, ids: number[]): Promise<Map<number, number>> {
  const rows = await db.query<{ id: number; scan: number }>(
    `SELECT s.id, coalesce(max(sc.id), 0) AS scan
     FROM sites s LEFT JOIN scans sc ON sc.site_id = s.id
     WHERE s.id = ANY($1::bigint[]) GROUP BY s.id`,
    [ids],
  )
  return new Map(rows.map((r) => [r.id, r.scan]))
}

/** Of `ids`, the sites with a visit that started at `since` or later. */
export async function scannedSince(
  db: Queryable,
  ids: number[],
  since: Date,
): Promise<Set<number>> {
  const rows = await db.query<{ site_id: number }>(
    `SELECT DISTINCT site_id FROM scans WHERE site_id = ANY($1::bigint[]) AND started_at >= $2`,
    [ids, since.toISOString()],
  )
  return new Set(rows.map((r) => Number(r.site_id)))
}

/** Sites whose latest scan was judged malicious. */
export async function infectedSiteIds(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ site_id: number }>(
    `SELECT site_id FROM (
       SELECT DISTINCT ON (site_id) site_id, page_verdict
       FROM scans WHERE site_id IS NOT NULL ORDER BY site_id, id DESC) l
     WHERE page_verdict = 'malicious' ORDER BY site_id`,
  )
  return rows.map((r) => r.site_id)
}
