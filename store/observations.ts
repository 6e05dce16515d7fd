// Detonation observations, cached by key (sha256 + rules version + chamber version, and the
// script URL and page origin when known).
import type { Observation } from '../core/types.ts'
import type { Queryable } from './db.ts'

export async function getObservation(db: Queryable, key: string): Promise<Observation | null> {
  const [row] = await db.query<{ observation: Observation | string }>(
    'SELECT observation FROM observations WHERE key = $1',
    [key],
  )
  if (!row) return null
  return typeof row.observation === 'string'
    ? (JSON.parse(row.observation) as Observation)
    : row.observation
}

/** The first observation stored under a key stays: concurrent detonations agree on one. */
export async function putObservation(db: Queryable, key: string, obs: Observation): Promise<void> {
  await db.query(
    'INSERT INTO observations (key, observation) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING',
    [key, JSON.stringify(obs)],
  )
}
