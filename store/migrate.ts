// Applies store/migrations/NNN_name.sql in order, once each, recorded in schema_migrations.
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.ts'

const DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
const FILE = /^(\d{3})_[\w-]+\.sql$/

export async function listMigrations(): Promise<{ version: number; name: string }[]> {
  const names = (await readdir(DIR)).filter((n) => FILE.test(n)).sort()
  return names.map((name) => ({ version: Number(FILE.exec(name)?.[1]), name }))
}

/** Returns the versions applied by this call (empty when already up to date). */
export async function migrate(db: Db): Promise<number[]> {
  const migrations = await listMigrations()
  return db.transaction(async (tx) => {
    // two processes starting together must not both apply the same migration
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.skimwatch_migrate'))`,
    )
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`)
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map(
        (r) => r.version,
      ),
    )
    const applied: number[] = []
    for (const m of migrations) {
      if (done.has(m.version)) continue
      await tx.exec(await readFile(`${DIR}${m.name}`, 'utf8'))
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ])
      applied.push(m.version)
    }
    return applied
  })
}
