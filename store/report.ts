// report: one line per site from its latest scan, flagged scripts and last notice sent.
// A script is flagged when the detector judged it, or when the browser saw it send data away.
import type { Verdict } from '../core/types.ts'
import type { Queryable } from './db.ts'

export interface SiteReport {
  domain: string
  lastScanAt: string | null
  verdict: Verdict | null
  flaggedScripts: string[]
  notifiedAt: string | null
  /** why the latest visit did not complete, or why the site cannot be crawled at all */
  scanError: string | null
}

interface Row {
  domain: string
  last_scan_at: string | null
  verdict: Verdict | null
  flagged: string[] | null
  notified_at: string | null
  scan_error: string | null
}

export async function report(db: Queryable): Promise<SiteReport[]> {
  const rows = await db.query<Row>(
    `WITH latest AS (
       SELECT DISTINCT ON (site_id) id, site_id, started_at, status, reason, page_verdict,
              judged_rules_version
       FROM scans WHERE site_id IS NOT NULL ORDER BY site_id, id DESC
     )
     SELECT s.domain,
            l.started_at AS last_scan_at,
            -- a visit that did not complete proves nothing clean
            CASE WHEN l.status <> 'ok' AND l.page_verdict = 'clean' THEN NULL
                 ELSE l.page_verdict END AS verdict,
            CASE WHEN l.status <> 'ok' THEN coalesce(l.reason, l.status)
                 ELSE s.failure END AS scan_error,
            (SELECT coalesce(jsonb_agg(f.sha256 ORDER BY f.sha256), '[]'::jsonb)
             FROM (SELECT DISTINCT ss.sha256
                   FROM scan_scripts ss
                   JOIN script_verdicts v
                     ON v.sha256 = ss.sha256 AND v.rules_version = l.judged_rules_version
                   WHERE ss.scan_id = l.id AND v.verdict IN ('suspicious', 'malicious')
                   UNION
                   -- scripts the browser caught sending test data or a card reader's request off-site
                   SELECT r.script_sha256 FROM requests r JOIN scans sc ON sc.id = r.scan_id
                   WHERE r.scan_id = l.id AND r.third_party AND r.script_sha256 IS NOT NULL
                     AND (r.carries_card OR sc.card_readers ? r.script_sha256)) f
            ) AS flagged,
            (SELECT max(o.sent_at) FROM outbox o
             WHERE o.site_id = s.id AND o.status = 'sent') AS notified_at
     FROM sites s LEFT JOIN latest l ON l.site_id = s.id
     ORDER BY s.domain`,
  )
  return rows.map((r) => ({
    domain: r.domain,
    lastScanAt: r.last_scan_at,
    verdict: r.verdict,
    flaggedScripts: r.flagged ?? [],
    notifiedAt: r.notified_at,
    scanError: r.scan_error,
  }))
}
