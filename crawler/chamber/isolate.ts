// A second wall around the chamber's browser: on Linux, where the process may, Chromium runs in
// a network namespace of its own, where no interface is up, so not even a UDP packet can leave.
// Playwright talks to it over a pipe, so it needs none. Elsewhere the browser flags stand alone.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type Isolation = 'network namespace' | 'browser flags'

let unshareWorks: boolean | undefined

function canUnshare(): boolean {
  if (unshareWorks === undefined) {
    const probe =
      process.platform === 'linux'
        ? spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore', timeout: 5000 })
        : null
    unshareWorks = probe !== null && probe.status === 0
  }
  return unshareWorks
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

export interface Isolated {
  path: string
  isolation: Isolation
  /** Removes the wrapper, if one was written. */
  cleanup(): void
}

/** The executable to launch: a wrapper that enters a fresh network namespace, when one can be made. */
export function isolatedExecutable(executablePath: string): Isolated {
  if (!canUnshare()) return { path: executablePath, isolation: 'browser flags', cleanup: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'skimwatch-chamber-'))
  const wrapper = join(dir, 'chromium')
  writeFileSync(wrapper, `#!/bin/sh\nexec unshare --net -- ${shellQuote(executablePath)} "$@"\n`)
  chmodSync(wrapper, 0o755)
  return {
    path: wrapper,
    isolation: 'network namespace',
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
