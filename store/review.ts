// Read models of the review app: flagged scripts, one script's sightings, exfil and observations.
import type { Finding, Observation, Verdict } from '../core/types.ts'
import type { Queryable } from './db.ts'
import { loadVerdicts } from './verdicts.ts'

/** A script flagged on the latest scan of at least one site. */
export interface FlaggedScript {
  sha256: string
  verdict: Verdict
  score: number
  rules: string[]
  sites: number
  siteIds: number[]
  urls: string[]
  exfilHosts: string[]
  firstSeen: string
  lastSeen: string
}

export interface Sighting {
  siteId: number | null
  domain: string | null
  scanId: number
  pageUrl: string
  url: string | null
  seenAt: string
}

export interface ExfilRequest {
  scanId: number
  url: string
  method: string
  type: string
  carriesCard: boolean
  carriesPersonal: boolean
}

export interface ScriptView {
  sha256: string
  source: string
  size: number
  verdict: Verdict | null
  score: number | null
  rulesVersion: string | null
  findings: Finding[]
  sightings: Sighting[]
  exfil: ExfilRequest[]
  observations: Observation[]
  firstSeen: string | null
  lastSeen: string | null
}

const LATEST = `latest AS (
  SELECT DISTINCT ON (site_id) id, site_id, judged_rules_version FROM scans
  WHERE site_id IS NOT NULL ORDER BY site_id, id DESC)`

export async function flaggedScripts(db: Queryable): Promise<FlaggedScript[]> {
  const rows = await db.query<{
    sha256: string
    verdict: Verdict
    score: number
    sites: number
    site_ids: number[]
    rules: string[] | null
    urls: string[] | null
    exfil_urls: string[] | null
    first_seen: string
    last_seen: string
  }>(
    `WITH ${LATEST},
     flagged AS (
       SELECT ss.sha256, v.verdict, v.score, v.rules_version, count(DISTINCT l.site_id)::int AS sites,
              jsonb_agg(DISTINCT l.site_id) AS site_ids
       FROM latest l
       JOIN scan_scripts ss ON ss.scan_id = l.id
       JOIN script_verdicts v ON v.sha256 = ss.sha256 AND v.rules_version = l.judged_rules_version
       WHERE v.verdict IN ('suspicious', 'malicious')
       GROUP BY ss.sha256, v.verdict, v.score, v.rules_version)
     SELECT f.sha256, f.verdict, f.score, f.sites, f.site_ids,
       (SELECT jsonb_agg(DISTINCT fi.rule) FROM findings fi
        WHERE fi.sha256 = f.sha256 AND fi.rules_version = f.rules_version AND fi.points > 0) AS rules,
       (SELECT jsonb_agg(DISTINCT x.url) FROM scan_scripts x
        WHERE x.sha256 = f.sha256 AND x.url IS NOT NULL) AS urls,
       (SELECT jsonb_agg(DISTINCT r.url) FROM requests r
        WHERE r.script_sha256 = f.sha256 AND r.third_party) AS exfil_urls,
       (SELECT min(sc.started_at) FROM scan_scripts x JOIN scans sc ON sc.id = x.scan_id
        WHERE x.sha256 = f.sha256) AS first_seen,
       (SELECT max(sc.started_at) FROM scan_scripts x JOIN scans sc ON sc.id = x.scan_id
        WHERE x.sha256 = f.sha256) AS last_seen
     FROM flagged f ORDER BY f.score DESC, f.sites DESC, f.sha256`,
  )
  return rows.map((r) => ({
    sha256: r.sha256,
    verdict: r.verdict,
    score: r.score,
    sites: r.sites,
    siteIds: r.site_ids.map(Number).sort((a, b) => a - b),
    rules: (r.rules ?? []).sort(),
    urls: r.urls ?? [],
    exfilHosts: [...new Set((r.exfil_urls ?? []).flatMap(hostOf))].sort(),
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  }))
}

function hostOf(url: string): string[] {
  try {
    return [new URL(url).hostname.toLowerCase()]
  } catch {
    return []
  }
}

export async function scriptView(db: Queryable, sha256: string): Promise<ScriptView | null> {
  const [script] = await db.query<{ source: string; size: number }>(
    'SELECT source, size FROM scripts WHERE sha256 = $1',
    [sha256],
  )
  if (!script) return null
  const sightings = await db.query<{
    site_id: number | null
    domain: string | null
    scan_id: number
    page_url: string
    url: string | null
    seen_at: string
  }>(
    `SELECT DISTINCT ON (sc.site_id, ss.page_url, ss.url) sc.site_id, si.domain, ss.scan_id,
            ss.page_url, ss.url, sc.started_at AS seen_at
     FROM scan_scripts ss JOIN scans sc ON sc.id = ss.scan_id LEFT JOIN sites si ON si.id = sc.site_id
     WHERE ss.sha256 = $1 ORDER BY sc.site_id, ss.page_url, ss.url, ss.scan_id DESC`,
    [sha256],
  )
  const exfil = await db.query<{
    scan_id: number
    url: string
    method: string
    type: string
    carries_card: boolean
    carries_personal: boolean
  }>(
    `SELECT scan_id, url, method, type, carries_card, carries_personal FROM requests
     WHERE script_sha256 = $1 AND third_party ORDER BY scan_id DESC, position LIMIT 200`,
    [sha256],
  )
  const [judged] = await db.query<{ rules_version: string }>(
    'SELECT rules_version FROM script_verdicts WHERE sha256 = $1 ORDER BY judged_at DESC LIMIT 1',
    [sha256],
  )
  const [verdict] = judged ? await loadVerdicts(db, [sha256], judged.rules_version) : []
  const obs = await db.query<{ observation: Observation | string }>(
    `SELECT observation FROM observations WHERE key LIKE $1 ORDER BY created_at DESC LIMIT 5`,
    [`${sha256}%`],
  )
  const seen = sightings.map((s) => s.seen_at).sort()
  return {
    sha256,
    source: script.source,
    size: script.size,
    verdict: verdict?.verdict ?? null,
    score: verdict?.score ?? null,
    rulesVersion: verdict?.rulesVersion ?? null,
    findings: verdict?.findings ?? [],
    sightings: sightings.map((s) => ({
      siteId: s.site_id,
      domain: s.domain,
      scanId: s.scan_id,
      pageUrl: s.page_url,
      url: s.url,
      seenAt: s.seen_at,
    })),
    exfil: exfil.map((r) => ({
      scanId: r.scan_id,
      url: r.url,
      method: r.method,
      type: r.type,
      carriesCard: r.carries_card,
      carriesPersonal: r.carries_personal,
    })),
    observations: obs.map((o) =>
      typeof o.observation === 'string'
        ? (JSON.parse(o.observation) as Observation)
        : o.observation,
    ),
    firstSeen: seen[0] ?? null,
    lastSeen: seen.at(-1) ?? null,
  }
}

/** Latest scan of every site whose latest scan ran one of these scripts or one from these hosts. */
export async function latestScansServing(
  db: Queryable,
  match: { sha256s: string[]; hosts: string[] },
): Promise<number[]> {
  const rows = await db.query<{ id: number; url: string | null; sha256: string }>(
    `WITH ${LATEST}
     SELECT DISTINCT l.id, ss.url, ss.sha256 FROM latest l JOIN scan_scripts ss ON ss.scan_id = l.id
     WHERE ss.sha256 = ANY($1::text[]) OR ss.url IS NOT NULL`,
    [match.sha256s],
  )
  const hosts = new Set(match.hosts)
  const hit = (url: string | null): boolean =>
    url !== null && hostOf(url).some((h) => [...hosts].some((p) => hostMatches(p, h)))
  return [
    ...new Set(rows.filter((r) => match.sha256s.includes(r.sha256) || hit(r.url)).map((r) => r.id)),
  ].sort((a, b) => a - b)
}

export function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host
  const base = pattern.slice(2)
  return host === base || host.endsWith(`.${base}`)
}

/** Sets a scan's page verdict without touching the script verdicts it was derived from. */
export async function setPageVerdict(
  db: Queryable,
  scanId: number,
  page: { verdict: Verdict; reasons: string[] },
): Promise<void> {
  await db.query('UPDATE scans SET page_verdict = $2, page_reasons = $3::jsonb WHERE id = $1', [
    scanId,
    page.verdict,
    JSON.stringify(page.reasons),
  ])
}

/** Where this script replaced another at the same URL on the same site: the version before it. */
export interface PreviousVersion {
  siteId: number
  domain: string
  url: string
  sha256: string
  scanId: number
  source: string
}

export async function previousVersions(db: Queryable, sha256: string): Promise<PreviousVersion[]> {
  const rows = await db.query<{
    site_id: number
    domain: string
    url: string
    sha256: string
    scan_id: number
    source: string
  }>(
    `WITH mine AS (
       SELECT sc.site_id, ss.url, min(ss.scan_id) AS first_scan
       FROM scan_scripts ss JOIN scans sc ON sc.id = ss.scan_id
       WHERE ss.sha256 = $1 AND ss.url IS NOT NULL AND sc.site_id IS NOT NULL
       GROUP BY sc.site_id, ss.url)
     SELECT DISTINCT ON (m.site_id, m.url) m.site_id, si.domain, m.url, ss.sha256, ss.scan_id, s.source
     FROM mine m
     JOIN sites si ON si.id = m.site_id
     JOIN scans sc ON sc.site_id = m.site_id AND sc.id < m.first_scan
     JOIN scan_scripts ss ON ss.scan_id = sc.id AND ss.url = m.url AND ss.sha256 <> $1
     JOIN scripts s ON s.sha256 = ss.sha256
     ORDER BY m.site_id, m.url, ss.scan_id DESC`,
    [sha256],
  )
  return rows.map((r) => ({
    siteId: r.site_id,
    domain: r.domain,
    url: r.url,
    sha256: r.sha256,
    scanId: r.scan_id,
    source: r.source,
  }))
}
