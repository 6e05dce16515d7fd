// users, sessions and api_tokens: accounts of the review app. Secrets arrive already hashed.
import type { Queryable } from './db.ts'

export type Role = 'analyst' | 'operator' | 'admin'

export interface UserRecord {
  id: number
  name: string
  role: Role
  passwordHash: string
  createdAt: string
}

interface UserRow {
  id: number
  name: string
  role: Role
  password_hash: string
  created_at: string
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  name: r.name,
  role: r.role,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
})

/** Creates the account, or replaces role and password of an existing one of that name. */
export async function upsertUser(
  db: Queryable,
  user: { name: string; role: Role; passwordHash: string },
): Promise<{ id: number; created: boolean }> {
  const [row] = await db.query<{ id: number; created: boolean }>(
    `INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
     RETURNING id, (xmax = 0) AS created`,
    [user.name, user.role, user.passwordHash],
  )
  if (!row) throw new Error('INSERT INTO users returned no id')
  return { id: row.id, created: row.created }
}

export async function findUserByName(db: Queryable, name: string): Promise<UserRecord | null> {
  const [row] = await db.query<UserRow>('SELECT * FROM users WHERE name = $1', [name])
  return row ? toUser(row) : null
}

export async function listUsers(db: Queryable): Promise<UserRecord[]> {
  return (await db.query<UserRow>('SELECT * FROM users ORDER BY name')).map(toUser)
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
  return row?.n ?? 0
}

export async function createSession(
  db: Queryable,
  s: { idHash: string; userId: number; csrfToken: string; ttlSeconds: number },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [s.idHash, s.userId, s.csrfToken, s.ttlSeconds],
  )
}

/** The session's user and CSRF token, or null when unknown or expired. */
export async function getSession(
  db: Queryable,
  idHash: string,
): Promise<{ user: UserRecord; csrfToken: string } | null> {
  const [row] = await db.query<UserRow & { csrf_token: string }>(
    `SELECT u.*, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = $1 AND s.expires_at > now()`,
    [idHash],
  )
  return row ? { user: toUser(row), csrfToken: row.csrf_token } : null
}

export async function deleteSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1 OR expires_at <= now()', [idHash])
}

export async function createApiToken(
  db: Queryable,
  t: { tokenHash: string; userId: number; label: string },
): Promise<void> {
  await db.query('INSERT INTO api_tokens (token_hash, user_id, label) VALUES ($1, $2, $3)', [
    t.tokenHash,
    t.userId,
    t.label,
  ])
}

export async function userForApiToken(
  db: Queryable,
  tokenHash: string,
): Promise<UserRecord | null> {
  const [row] = await db.query<UserRow>(
    `SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
    [tokenHash],
  )
  return row ? toUser(row) : null
}
