// skimwatch user add: create an account of the review app (or reset its role and password).
import { BadInputError } from '../../core/errors.ts'
import { EXIT } from '../../core/types.ts'
import { hashPassword, newSecret, sha256Hex } from '../../review/password.ts'
import type { Role } from '../../store/index.ts'
import type { Context } from '../context.ts'

const ROLES: Role[] = ['analyst', 'operator', 'admin']
const MIN_PASSWORD = 12

export interface UserAddOptions {
  role: string
  token?: string
}

export async function userAddCommand(
  ctx: Context,
  name: string,
  o: UserAddOptions,
): Promise<number> {
  if (!ROLES.includes(o.role as Role)) {
    throw new BadInputError(`--role ${o.role} is not one of ${ROLES.join(', ')}`)
  }
  if (!/^[\w.@-]{1,100}$/.test(name)) {
    throw new BadInputError('a user name is 1-100 letters, digits, and . _ @ -')
  }
  const password = await readPassword()
  if (password.length < MIN_PASSWORD) {
    throw new BadInputError(`the password must have at least ${MIN_PASSWORD} characters`)
  }
  const store = await ctx.store()
  const { id, created } = await store.review.upsertUser({
    name,
    role: o.role as Role,
    passwordHash: await hashPassword(password),
  })
  process.stdout.write(`${created ? 'created' : 'updated'} ${o.role} ${name}\n`)
  if (o.token) {
    const token = newSecret()
    await store.review.createApiToken({ tokenHash: sha256Hex(token), userId: id, label: o.token })
    // printed once: only its hash is stored
    process.stdout.write(`API token (${o.token}): ${token}\n`)
  }
  return EXIT.clean
}

/** The first line of stdin; on a terminal, typed without echo. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin
  if (!stdin.isTTY) {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(chunk as Buffer)
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim()
  }
  process.stderr.write('password: ')
  stdin.setRawMode(true)
  stdin.resume()
  let typed = ''
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\u0003') throw new BadInputError('cancelled')
        if (ch === '\r' || ch === '\n') return typed
        typed = ch === '\u007f' ? typed.slice(0, -1) : typed + ch
      }
    }
    return typed
  } finally {
    stdin.setRawMode(false)
    stdin.pause()
    process.stderr.write('\n')
  }
}
