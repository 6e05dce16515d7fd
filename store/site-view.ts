// Read models of the review app for sites: scan timeline, mails, dashboard counts, search.
import type { Verdict } from '../core/types.ts'
import type { Queryable } from './db.ts'
import type { OutboxStatus } from './outbox.ts'

export interface ScanSummary {
  id: number
  startedAt: string
  status: string
  reason: string | null
  verdict: Verdict | null
  reasons: string[]
  url: string
  finalUrl: string
}

export interface SiteScript {
  sha256: string
  url: string | null
  kind: string
  verdict: Verdict | null
  score: number | null
}

export interface MailSummary {
  id: number
  status: OutboxStatus
  subject: string
  to: string[]
  createdAt: string
  sentAt: string | null
  withdrawnAt: string | null
}

export interface SiteView {
  id: number
  domain: string
  url: string
  platform: string | null
  scans: ScanSummary[]
  scripts: SiteScript[]
  mails: MailSummary[]
}

export interface DashboardCounts {
  sites: number
  scanned: number
  flagged: number
  malicious: number
  notified: number
  fixed: number
  pendingMails: number
  withdrawnMails: number
  lastScans: { siteId: number; domain: string; startedAt: string; verdict: Verdict | null }[]
}

export async function siteView(db: Queryable, id: number): Promise<SiteView | null> {
  const [site] = await db.query<{
    id: number
    domain: string
    url: string
    platform: string | null
  }>('SELECT id, domain, url, platform FROM sites WHERE id = $1', [id])
  if (!site) return null
  const scans = await db.query<{
    id: number
    started_at: string
    status: string
    reason: string | null
    page_verdict: Verdict | null
    page_reasons: string[] | null
    url: string
    final_url: string
  }>('SELECT * FROM scans WHERE site_id = $1 ORDER BY id DESC LIMIT 50', [id])
  const latest = scans[0]
  const scripts = latest
    ? await db.query<{
        sha256: string
        url: string | null
        kind: string
        verdict: Verdict | null
        score: number | null
      }>(
        `SELECT DISTINCT ON (ss.sha256) ss.sha256, ss.url, ss.kind, v.verdict, v.score
         FROM scan_scripts ss JOIN scans sc ON sc.id = ss.scan_id
         LEFT JOIN script_verdicts v ON v.sha256 = ss.sha256 AND v.rules_version = sc.judged_rules_version
         WHERE ss.scan_id = $1 ORDER BY ss.sha256, ss.position`,
        [latest.id],
      )
    : []
  const mails = await db.query<{
    id: number
    status: OutboxStatus
    subject: string
    recipients: string[]
    created_at: string
    sent_at: string | null
    withdrawn_at: string | null
  }>('SELECT * FROM outbox WHERE site_id = $1 ORDER BY id DESC', [id])
  return {
    ...site,
    scans: scans.map((s) => ({
      id: s.id,
      startedAt: s.started_at,
      status: s.status,
      reason: s.reason,
      verdict: s.page_verdict,
      reasons: s.page_reasons ?? [],
      url: s.url,
      finalUrl: s.final_url,
    })),
    scripts,
    mails: mails.map((m) => ({
      id: m.id,
      status: m.status,
      subject: m.subject,
      to: m.recipients,
      createdAt: m.created_at,
      sentAt: m.sent_at,
      withdrawnAt: m.withdrawn_at,
    })),
  }
}

export async function dashboardCounts(db: Queryable): Promise<DashboardCounts> {
  const [c] = await db.query<Omit<DashboardCounts, 'lastScans'>>(
    `WITH latest AS (SELECT DISTINCT ON (site_id) site_id, page_verdict FROM scans
                     WHERE site_id IS NOT NULL ORDER BY site_id, id DESC)
     SELECT (SELECT count(*)::int FROM sites) AS sites,
            (SELECT count(*)::int FROM latest) AS scanned,
            (SELECT count(*)::int FROM latest WHERE page_verdict IN ('suspicious', 'malicious')) AS flagged,
            (SELECT count(*)::int FROM latest WHERE page_verdict = 'malicious') AS malicious,
            (SELECT count(DISTINCT site_id)::int FROM outbox WHERE status = 'sent') AS notified,
            (SELECT count(*)::int FROM latest l WHERE l.page_verdict = 'clean' AND EXISTS (
               SELECT 1 FROM scans s WHERE s.site_id = l.site_id AND s.page_verdict = 'malicious')) AS fixed,
            (SELECT count(*)::int FROM outbox WHERE status = 'pending') AS "pendingMails",
            (SELECT count(*)::int FROM outbox WHERE status = 'withdrawn') AS "withdrawnMails"`,
  )
  const last = await db.query<{
    site_id: number
    domain: string
    started_at: string
    page_verdict: Verdict | null
  }>(
    `SELECT sc.site_id, si.domain, sc.started_at, sc.page_verdict FROM scans sc
     JOIN sites si ON si.id = sc.site_id ORDER BY sc.id DESC LIMIT 10`,
  )
  if (!c) throw new Error('dashboard query returned no row')
  return {
    ...c,
    lastScans: last.map((r) => ({
      siteId: r.site_id,
      domain: r.domain,
      startedAt: r.started_at,
      verdict: r.page_verdict,
    })),
  }
}

export interface SearchHit {
  kind: 'site' | 'script'
  id: string
  label: string
  detail: string
}

/** Sites by domain; scripts by sha256 prefix, serving host or URL, or the rule that fired. */
export async function search(db: Queryable, q: string): Promise<SearchHit[]> {
  const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`
  const sites = await db.query<{ id: number; domain: string; url: string }>(
    'SELECT id, domain, url FROM sites WHERE domain ILIKE $1 ORDER BY domain LIMIT 50',
    [like],
  )
  const scripts = await db.query<{ sha256: string; detail: string }>(
    `SELECT sha256, min(detail) AS detail FROM (
       SELECT sha256, 'sha256' AS detail FROM scripts WHERE sha256 LIKE lower($2) || '%'
       UNION ALL SELECT sha256, 'served from ' || url FROM scan_scripts WHERE url ILIKE $1
       UNION ALL SELECT sha256, 'rule ' || rule FROM findings WHERE rule ILIKE $1 AND points > 0
     ) t GROUP BY sha256 ORDER BY sha256 LIMIT 50`,
    [like, q.trim()],
  )
  return [
    ...sites.map((s): SearchHit => ({
      kind: 'site',
      id: String(s.id),
      label: s.domain,
      detail: s.url,
    })),
    ...scripts.map((s): SearchHit => ({
      kind: 'script',
      id: s.sha256,
      label: s.sha256,
      detail: s.detail,
    })),
  ]
}

/** Which mails: all of a site's, or one. */
export type MailTarget = { siteId: number } | { id: number }

const where = (t: MailTarget): [string, number] =>
  'id' in t ? ['id = $1', t.id] : ['site_id = $1', t.siteId]

/** Pending and failed mails are set aside (never claimed for delivery); returns how many. */
export async function withdrawMails(db: Queryable, target: MailTarget): Promise<number> {
  const [cond, value] = where(target)
  const rows = await db.query<{ id: number }>(
    `UPDATE outbox SET withdrawn_from = status, status = 'withdrawn', withdrawn_at = now()
     WHERE ${cond} AND status IN ('pending', 'failed') RETURNING id`,
    [value],
  )
  return rows.length
}

/** Withdrawn mails go back to where they were; returns how many. */
export async function restoreMails(db: Queryable, target: MailTarget): Promise<number> {
  const [cond, value] = where(target)
  const rows = await db.query<{ id: number }>(
    `UPDATE outbox SET status = coalesce(withdrawn_from, 'pending'), withdrawn_from = NULL,
            withdrawn_at = NULL
     WHERE ${cond} AND status = 'withdrawn' RETURNING id`,
    [value],
  )
  return rows.length
}
