// `npm ci` refuses a lock that lacks an entry for any optional dependency: keep it complete.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

interface LockEntry {
  optionalDependencies?: Record<string, string>
}

it('package-lock.json records every optional dependency (run `npm run lock:fix` after installs)', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const missing: string[] = []
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      const nested = `${path === '' ? '' : `${path}/`}node_modules/${dep}`
      if (!lock.packages[nested] && !lock.packages[`node_modules/${dep}`]) missing.push(dep)
    }
  }
  expect(missing).toEqual([])
})
