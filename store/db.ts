// The one seam between SQL and a driver: pg (PostgreSQL server) or PGlite (embedded).
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { ServiceUnavailableError } from '../core/errors.ts'

export type Param = string | number | boolean | null | Date | (string | number | boolean | null)[]
export interface Queryable {
  query<T>(sql: string, params?: Param[]): Promise<T[]>
  /** runs several statements at once (migrations); no parameters */
  exec(sql: string): Promise<void>
}
export interface Db extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
  readonly engine: 'pg' | 'pglite'
}

const INT8 = 20
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/i

/** int8 → number, Date → ISO string, so both engines hand back the same rows */
function normalise<T>(rows: unknown[]): T[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === 'bigint') row[k] = Number(v)
      else if (v instanceof Date) row[k] = v.toISOString()
    }
  }
  return rows as T[]
}

function checkSchema(schema: string | undefined): string | undefined {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ServiceUnavailableError(`invalid schema name "${schema}": use letters, digits and _`)
  }
  return schema
}

function describeTarget(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '5432'}`
  } catch {
    return 'the configured DATABASE_URL'
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '08006', // connection_failure
  '08001', // unable to connect
])

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown }
  if (typeof e?.code === 'string' && CONNECTION_CODES.has(e.code)) return true
  return (
    typeof e?.message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated/i.test(e.message)
  )
}

function unreachable(url: string, err: unknown): ServiceUnavailableError {
  const why = err instanceof Error ? err.message : String(err)
  return new ServiceUnavailableError(
    `cannot reach PostgreSQL at ${describeTarget(url)} (${why}) — start it or unset DATABASE_URL to use the embedded store`,
    { cause: err },
  )
}

export async function openPg(url: string, schema?: string): Promise<Db> {
  const name = checkSchema(schema)
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8
        ? Number
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  }
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    types,
    // every pooled connection starts in the schema, so no query has to name it
    ...(name ? { options: `-c search_path=${name}` } : {}),
  })
  // an idle client dropped by the server must not crash the process; the next query reports it
  pool.on('error', () => {})
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (err) {
      throw isConnectionError(err) ? unreachable(url, err) : err
    }
  }
  const on = (c: pg.Pool | pg.PoolClient): Queryable => ({
    query: <T>(sql: string, params: Param[] = []) =>
      wrap(async () => normalise<T>((await c.query(sql, params)).rows)),
    exec: (sql: string) => wrap(async () => void (await c.query(sql))),
  })
  try {
    // An existing schema is used as it is: its owner needs no CREATE right on the database.
    const nsp = 'SELECT 1 FROM pg_namespace WHERE nspname = $1'
    const found = await pool.query(nsp, [name ?? 'public'])
    if (name && found.rowCount === 0) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${name}`)
  } catch (err) {
    await pool.end().catch(() => {})
    throw unreachable(url, err)
  }
  return {
    engine: 'pg',
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await wrap(() => pool.connect())
      try {
        await client.query('BEGIN')
        const result = await fn(on(client))
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw isConnectionError(err) ? unreachable(url, err) : err
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

export async function openPglite(home: string, schema?: string): Promise<Db> {
  const name = checkSchema(schema)
  const dataDir = path.join(home, 'db')
  await mkdir(dataDir, { recursive: true })
  // imported lazily: loading the WASM engine costs seconds and ~800 MB, and only the store needs it
  const { PGlite } = await import('@electric-sql/pglite')
  let db: InstanceType<typeof PGlite>
  try {
    db = await PGlite.create(dataDir, { parsers: { [INT8]: (v: string) => Number(v) } })
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    throw new ServiceUnavailableError(
      `cannot open the embedded store at ${dataDir} (${why}) — is another skimwatch process using it?`,
      { cause: err },
    )
  }
  if (name) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${name}; SET search_path TO ${name}`)
  type Tx = Pick<typeof db, 'query' | 'exec'>
  const on = (c: Tx): Queryable => ({
    query: async <T>(sql: string, params: Param[] = []) =>
      normalise<T>((await c.query<T>(sql, params)).rows),
    exec: async (sql: string) => void (await c.exec(sql)),
  })
  return {
    engine: 'pglite',
    ...on(db),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(on(tx))),
    close: () => db.close(),
  }
}
