// Runs analyzeScript in a child process with a heap cap and a per-run time limit.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ScriptVerdict } from '../../../core/types.ts'
import type { DocumentContext } from '../../../detector/index.ts'

const CHILD = fileURLToPath(new URL('./analyze-child.ts', import.meta.url))

interface Reply {
  id?: number
  ready?: boolean
  verdict?: ScriptVerdict
  thrown?: string
  ms?: number
}

export interface IsolatedDetector {
  /** rejects when the analysis throws, runs past the time limit or exhausts the heap cap */
  analyze(input: string, ctx?: DocumentContext): Promise<{ verdict: ScriptVerdict; ms: number }>
  close(): void
}

export function isolatedDetector(opts: { heapMb: number; timeoutMs: number }): IsolatedDetector {
  let child: ChildProcess | undefined
  let ready: Promise<void> | undefined
  let next = 0
  const start = (): Promise<void> => {
    const c = fork(CHILD, [], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${opts.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    child = c
    return new Promise((resolve, reject) => {
      c.once('message', (m: Reply) => (m.ready ? resolve() : reject(new Error('child not ready'))))
      c.once('exit', (code) =>
        reject(new Error(`analysis child exited (${code}) before it was ready`)),
      )
    })
  }
  const stop = (which: ChildProcess | undefined): void => {
    which?.kill('SIGKILL')
    if (child !== which) return
    child = undefined
    ready = undefined
  }
  return {
    async analyze(input, ctx = {}) {
      ready ??= start()
      await ready
      const c = child
      if (!c) throw new Error('analysis child is gone')
      const id = ++next
      let stderr = ''
      const onErr = (d: Buffer): void => void (stderr = (stderr + d.toString()).slice(-2000))
      c.stderr?.on('data', onErr)
      try {
        return await new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            c.off('close', onExit)
            stop(c)
            reject(new Error(`no verdict within ${opts.timeoutMs} ms`))
          }, opts.timeoutMs)
          const onExit = (code: number | null, signal: string | null): void => {
            clearTimeout(timer)
            stop(c)
            const oom = /heap out of memory|invalid size error/i.test(stderr)
            const why = oom ? `exhausted its ${opts.heapMb} MB heap` : `exited (${code ?? signal})`
            reject(new Error(`the analysis ${why}`))
          }
          const onMessage = (m: Reply): void => {
            if (m.id !== id) return
            clearTimeout(timer)
            c.off('close', onExit)
            c.off('message', onMessage)
            if (m.thrown !== undefined) reject(new Error(`analyzeScript threw: ${m.thrown}`))
            else if (m.verdict) resolve({ verdict: m.verdict, ms: m.ms ?? 0 })
          }
          c.on('message', onMessage)
          // 'close' comes after stderr has been read: its last words say whether the heap ran out
          c.once('close', onExit)
          c.send({ id, input, ctx })
        })
      } finally {
        c.stderr?.off('data', onErr)
      }
    },
    close: () => stop(child),
  }
}
