// Accounts: admins add users; everyone may make API tokens for themselves (shown once).
import { enum as oneOf, maxLength, minLength } from 'zod/mini'
import type { Role, Store, UserRecord } from '../store/index.ts'
import { hashPassword, newSecret, sha256Hex } from './password.ts'
import { object, parseOrThrow, regex, string, text } from './input.ts'

export const MIN_PASSWORD = 12

const newUser = object({
  name: string().check(
    regex(/^[\w.@-]{1,100}$/, 'a user name is 1-100 letters, digits, and . _ @ -'),
  ),
  role: oneOf(['analyst', 'operator', 'admin']),
  password: string().check(
    minLength(MIN_PASSWORD, `the password must have at least ${MIN_PASSWORD} characters`),
    maxLength(1000),
  ),
})

/** Creates the account, or resets role and password of an existing one. */
export async function addUser(
  store: Store,
  input: unknown,
): Promise<{ name: string; role: Role; created: boolean }> {
  const u = parseOrThrow(newUser, input)
  const { created } = await store.review.upsertUser({
    name: u.name,
    role: u.role,
    passwordHash: await hashPassword(u.password),
  })
  return { name: u.name, role: u.role, created }
}

/** A new API token for this user; only its hash is kept, so this is the one time it is seen. */
export async function addToken(
  store: Store,
  user: UserRecord,
  input: unknown,
): Promise<{ token: string; label: string }> {
  const { label } = parseOrThrow(object({ label: text(1, 200) }), input)
  const token = newSecret()
  await store.review.createApiToken({ tokenHash: sha256Hex(token), userId: user.id, label })
  return { token, label }
}

export const publicUser = (u: UserRecord) => ({
  name: u.name,
  role: u.role,
  createdAt: u.createdAt,
})
