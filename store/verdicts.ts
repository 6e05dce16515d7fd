// script_verdicts + findings (cached per sha256 and rules version) and a scan's page verdict.
import type { Finding, PageVerdict, ScriptVerdict, Severity, Verdict } from '../core/types.ts'
import type { Queryable } from './db.ts'

interface VerdictRow {
  sha256: string
  rules_version: string
  verdict: Verdict
  score: number
}

interface FindingRow {
  sha256: string
  rule: string
  severity: Severity
  message: string
  line: number
  column: number
  snippet: string | null
  points: number
}

/** Idempotent: a retried job overwrites the same rows instead of adding findings twice. */
export async function saveVerdicts(
  tx: Queryable,
  scanId: number,
  page: PageVerdict,
  scripts: ScriptVerdict[],
): Promise<void> {
  // one write per script, in sha256 order, so concurrent jobs lock rows in the same order
  const unique = new Map(scripts.map((v) => [`${v.sha256} ${v.rulesVersion}`, v]))
  for (const key of [...unique.keys()].sort()) await upsertScriptVerdict(tx, unique.get(key)!)
  const rulesVersion = scripts[0]?.rulesVersion ?? null
  const updated = await tx.query<{ id: number }>(
    `UPDATE scans SET page_verdict = $2, page_reasons = $3::jsonb,
            judged_rules_version = coalesce($4, judged_rules_version)
     WHERE id = $1 RETURNING id`,
    [scanId, page.verdict, JSON.stringify(page.reasons), rulesVersion],
  )
  if (updated.length === 0) throw new Error(`scan ${scanId} does not exist`)
}

/**
 * A script's verdict under one rules version. What the chamber saw can depend on the page (a
 * payload keyed to one shop's host): a weaker verdict from another page never replaces it.
 */
async function upsertScriptVerdict(tx: Queryable, v: ScriptVerdict): Promise<void> {
  const kept = await tx.query<{ sha256: string }>(
    `INSERT INTO script_verdicts (sha256, rules_version, verdict, score) VALUES ($1, $2, $3, $4)
     ON CONFLICT (sha256, rules_version)
     DO UPDATE SET verdict = excluded.verdict, score = excluded.score, judged_at = now()
     WHERE excluded.score >= script_verdicts.score
     RETURNING sha256`,
    [v.sha256, v.rulesVersion, v.verdict, Math.round(v.score)],
  )
  if (kept.length === 0) return
  await tx.query('DELETE FROM findings WHERE sha256 = $1 AND rules_version = $2', [
    v.sha256,
    v.rulesVersion,
  ])
  if (v.findings.length === 0) return
  const f = v.findings
  await tx.query(
    `INSERT INTO findings (sha256, rules_version, position, rule, severity, message, line,
                           "column", snippet, points)
     SELECT $1, $2, t.ord - 1, t.rule, t.severity, t.message, t.line, t.col, t.snippet, t.points
     FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::int[])
          WITH ORDINALITY AS t (rule, severity, message, line, col, snippet, points, ord)`,
    [
      v.sha256,
      v.rulesVersion,
      f.map((x) => x.rule),
      f.map((x) => x.severity),
      f.map((x) => x.message),
      f.map((x) => x.line),
      f.map((x) => x.column),
      f.map((x) => x.snippet ?? null),
      f.map((x) => Math.round(x.points)),
    ],
  )
}

/** Verdicts for these scripts under one rules version, in the order of `sha256s`. */
export async function loadVerdicts(
  db: Queryable,
  sha256s: string[],
  rulesVersion: string,
): Promise<ScriptVerdict[]> {
  if (sha256s.length === 0) return []
  const rows = await db.query<VerdictRow>(
    'SELECT * FROM script_verdicts WHERE rules_version = $1 AND sha256 = ANY($2::text[])',
    [rulesVersion, sha256s],
  )
  const findings = await db.query<FindingRow>(
    `SELECT * FROM findings WHERE rules_version = $1 AND sha256 = ANY($2::text[])
     ORDER BY sha256, position`,
    [rulesVersion, sha256s],
  )
  const bySha = new Map<string, Finding[]>()
  for (const r of findings) {
    const list = bySha.get(r.sha256) ?? []
    list.push(toFinding(r))
    bySha.set(r.sha256, list)
  }
  const verdicts = new Map(rows.map((r) => [r.sha256, r]))
  return sha256s.flatMap((sha) => {
    const r = verdicts.get(sha)
    if (!r) return []
    const v: ScriptVerdict = {
      sha256: r.sha256,
      verdict: r.verdict,
      score: r.score,
      findings: bySha.get(sha) ?? [],
      rulesVersion: r.rules_version,
    }
    return [v]
  })
}

function toFinding(r: FindingRow): Finding {
  const f: Finding = {
    rule: r.rule,
    severity: r.severity,
    message: r.message,
    line: r.line,
    column: r.column,
    points: r.points,
  }
  if (r.snippet !== null) f.snippet = r.snippet
  return f
}

export async function cachedVerdict(
  db: Queryable,
  sha256: string,
  rulesVersion: string,
): Promise<ScriptVerdict | null> {
  const [v] = await loadVerdicts(db, [sha256], rulesVersion)
  return v ?? null
}

/** null until the scan has been judged. */
export async function getScanResult(
  db: Queryable,
  scanId: number,
): Promise<{ page: PageVerdict; scripts: ScriptVerdict[] } | null> {
  const [scan] = await db.query<{
    page_verdict: Verdict | null
    page_reasons: string[] | null
    judged_rules_version: string | null
  }>('SELECT page_verdict, page_reasons, judged_rules_version FROM scans WHERE id = $1', [scanId])
  if (!scan?.page_verdict) return null
  const page: PageVerdict = { verdict: scan.page_verdict, reasons: scan.page_reasons ?? [] }
  if (scan.judged_rules_version === null) return { page, scripts: [] }
  const shas = await db.query<{ sha256: string }>(
    `SELECT sha256 FROM scan_scripts WHERE scan_id = $1
     GROUP BY sha256 ORDER BY min(position)`,
    [scanId],
  )
  const scripts = await loadVerdicts(
    db,
    shas.map((r) => r.sha256),
    scan.judged_rules_version,
  )
  return { page, scripts }
}
