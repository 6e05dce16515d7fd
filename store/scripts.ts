// scripts: each script's source stored once per sha256, however many pages serve it.
import type { CapturedScript } from '../core/types.ts'
import type { Queryable } from './db.ts'

export async function saveScripts(db: Queryable, scripts: CapturedScript[]): Promise<void> {
  const bySha = new Map<string, string>()
  for (const s of scripts) if (!bySha.has(s.sha256)) bySha.set(s.sha256, s.source)
  if (bySha.size === 0) return
  // sorted so concurrent captures take the unique-index locks in the same order (no deadlock)
  const shas = [...bySha.keys()].sort()
  const sources = shas.map((sha) => bySha.get(sha) ?? '')
  await db.query(
    `INSERT INTO scripts (sha256, source, size)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
     ON CONFLICT (sha256) DO NOTHING`,
    [shas, sources, sources.map((s) => Buffer.byteLength(s))],
  )
}

export async function getScriptSource(db: Queryable, sha256: string): Promise<string | null> {
  const [row] = await db.query<{ source: string }>('SELECT source FROM scripts WHERE sha256 = $1', [
    sha256,
  ])
  return row?.source ?? null
}

export async function countScripts(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM scripts')
  return row?.n ?? 0
}
