// scans, scan_scripts and requests: one raw page capture, immutable once stored.
import type {
  CapturedRequest,
  CapturedScript,
  PageCapture,
  PlatformInfo,
  RequestType,
  ScanStatus,
  ScriptKind,
  WalkRecord,
} from '../core/types.ts'
import { withoutScreenshots } from '../core/types.ts'
import type { Queryable } from './db.ts'
import { saveScripts } from './scripts.ts'

export type StoredCapture = PageCapture & { scanId: number; siteId: number | null }

interface ScanRow {
  id: number
  site_id: number | null
  url: string
  final_url: string
  status: ScanStatus
  reason: string | null
  started_at: string
  duration_ms: number
  visited: string[]
  filled_card: boolean
  card_readers: string[]
  platform: PlatformInfo | null
  walk: WalkRecord | null
}

interface ScriptRow {
  sha256: string
  url: string | null
  kind: ScriptKind
  parent_sha256: string | null
  page_url: string
  source: string
}

interface RequestRow {
  url: string
  method: string
  type: RequestType
  body: string | null
  carries_card: boolean
  carries_personal: boolean
  third_party: boolean
  script_sha256: string | null
}

/** Caller runs this inside a transaction so a capture is stored whole or not at all. */
export async function insertCapture(
  tx: Queryable,
  siteId: number | null,
  c: PageCapture,
): Promise<number> {
  const [scan] = await tx.query<{ id: number }>(
    `INSERT INTO scans (site_id, url, final_url, status, reason, started_at, duration_ms,
                        visited, filled_card, card_readers, platform, walk)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb, $11::jsonb, $12::jsonb)
     RETURNING id`,
    [
      siteId,
      c.url,
      c.finalUrl,
      c.status,
      c.reason,
      c.startedAt,
      Math.round(c.durationMs),
      JSON.stringify(c.visited),
      c.filledCard,
      JSON.stringify(c.cardReaders),
      c.platform ? JSON.stringify(c.platform) : null,
      c.walk ? JSON.stringify(withoutScreenshots(c.walk)) : null,
    ],
  )
  // a stored scan supersedes an earlier permanent failure
  if (siteId !== null)
    await tx.query(
      'UPDATE sites SET failure = NULL, failed_at = NULL WHERE id = $1 AND failure IS NOT NULL',
      [siteId],
    )
  if (!scan) throw new Error('INSERT INTO scans returned no id')
  await insertScreenshots(tx, scan.id, c.walk)
  await saveScripts(tx, c.scripts)
  await linkScripts(tx, scan.id, c.scripts)
  await insertRequests(tx, scan.id, c.requests)
  return scan.id
}

async function insertScreenshots(tx: Queryable, scanId: number, walk: WalkRecord | undefined) {
  const shots = (walk?.steps ?? []).flatMap((s, i) =>
    s.screenshot === undefined ? [] : [{ i, image: s.screenshot }],
  )
  if (shots.length === 0) return
  await tx.query(
    `INSERT INTO scan_screenshots (scan_id, position, image)
     SELECT $1, t.pos, decode(t.image, 'base64') FROM unnest($2::int[], $3::text[]) AS t (pos, image)`,
    [scanId, shots.map((s) => s.i), shots.map((s) => s.image)],
  )
}

/** The stored walk with each step's screenshot back in place. */
async function readWalk(db: Queryable, scanId: number, walk: WalkRecord | null) {
  if (walk === null) return null
  const shots = await db.query<{ position: number; image: string }>(
    `SELECT position, encode(image, 'base64') AS image FROM scan_screenshots
     WHERE scan_id = $1 ORDER BY position`,
    [scanId],
  )
  // PostgreSQL's base64 breaks lines every 76 characters.
  const byPosition = new Map(shots.map((s) => [Number(s.position), s.image.replace(/\n/g, '')]))
  const steps = walk.steps.map((step, i) => {
    const image = byPosition.get(i)
    return image === undefined ? step : { ...step, screenshot: image }
  })
  return { ...walk, steps }
}

async function linkScripts(tx: Queryable, scanId: number, scripts: CapturedScript[]) {
  if (scripts.length === 0) return
  await tx.query(
    `INSERT INTO scan_scripts (scan_id, position, sha256, url, kind, parent_sha256, page_url)
     SELECT $1, t.ord - 1, t.sha, t.url, t.kind, t.parent, t.page
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
          WITH ORDINALITY AS t (sha, url, kind, parent, page, ord)`,
    [
      scanId,
      scripts.map((s) => s.sha256),
      scripts.map((s) => s.url),
      scripts.map((s) => s.kind),
      scripts.map((s) => s.parentSha256 ?? null),
      scripts.map((s) => s.pageUrl),
    ],
  )
}

async function insertRequests(tx: Queryable, scanId: number, requests: CapturedRequest[]) {
  if (requests.length === 0) return
  await tx.query(
    `INSERT INTO requests (scan_id, position, url, method, type, body, carries_card,
                           carries_personal, third_party, script_sha256)
     SELECT $1, t.ord - 1, t.url, t.method, t.type, t.body, t.card, t.personal, t.third, t.script
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[],
                 $8::boolean[], $9::text[])
          WITH ORDINALITY AS t (url, method, type, body, card, personal, third, script, ord)`,
    [
      scanId,
      requests.map((r) => r.url),
      requests.map((r) => r.method),
      requests.map((r) => r.type),
      requests.map((r) => r.body),
      requests.map((r) => r.carriesCard),
      requests.map((r) => r.carriesPersonal),
      requests.map((r) => r.thirdParty),
      requests.map((r) => r.script),
    ],
  )
}

export async function getCapture(db: Queryable, scanId: number): Promise<StoredCapture | null> {
  const [scan] = await db.query<ScanRow>('SELECT * FROM scans WHERE id = $1', [scanId])
  if (!scan) return null
  const scripts = await db.query<ScriptRow>(
    `SELECT ss.sha256, ss.url, ss.kind, ss.parent_sha256, ss.page_url, s.source
     FROM scan_scripts ss JOIN scripts s USING (sha256)
     WHERE ss.scan_id = $1 ORDER BY ss.position`,
    [scanId],
  )
  const requests = await db.query<RequestRow>(
    'SELECT * FROM requests WHERE scan_id = $1 ORDER BY position',
    [scanId],
  )
  return {
    scanId: scan.id,
    siteId: scan.site_id,
    url: scan.url,
    finalUrl: scan.final_url,
    status: scan.status,
    reason: scan.reason,
    startedAt: scan.started_at,
    durationMs: scan.duration_ms,
    visited: scan.visited,
    filledCard: scan.filled_card,
    scripts: scripts.map(toScript),
    requests: requests.map(toRequest),
    cardReaders: scan.card_readers,
    platform: scan.platform,
    ...(scan.walk ? { walk: (await readWalk(db, scan.id, scan.walk)) ?? scan.walk } : {}),
  }
}

function toScript(r: ScriptRow): CapturedScript {
  const script: CapturedScript = {
    sha256: r.sha256,
    url: r.url,
    kind: r.kind,
    source: r.source,
    pageUrl: r.page_url,
  }
  if (r.parent_sha256 !== null) script.parentSha256 = r.parent_sha256
  return script
}

const toRequest = (r: RequestRow): CapturedRequest => ({
  url: r.url,
  method: r.method,
  type: r.type,
  body: r.body,
  carriesCard: r.carries_card,
  carriesPersonal: r.carries_personal,
  thirdParty: r.third_party,
  script: r.script_sha256,
})

/** The newest scan of every site, in site order. */
export async function latestScanIds(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT DISTINCT ON (site_id) id FROM scans
     WHERE site_id IS NOT NULL ORDER BY site_id, id DESC`,
  )
  return rows.map((r) => r.id)
}
