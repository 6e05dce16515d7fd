// Worker threads for `analyze` over many files: the static analysis is CPU-bound and each
// file is independent, so N threads judge N files at a time. Output order, verdicts and
// errors are exactly those of a single thread; a thread that dies (a file that exhausts its
// memory) costs that file an error line and is replaced.
import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import type * as WorkerThreads from 'node:worker_threads'
import type { Worker } from 'node:worker_threads'
import type { Judged } from './analyze-files.ts'
import type { AnalyzeJob } from './analyze-worker.ts'

// Every file of the compiled build defines it (scripts/build.mjs); running from source it is
// absent, and analyze stays on one thread (the TypeScript loader does not reach workers).
declare const __skimwatchRoot: URL | undefined

/** Heap limits per thread: a hostile file ends its own thread, never the process. */
const OLD_SPACE_MB = 4096
// A larger young generation than V8's default: the analysis allocates many short-lived
// objects, and fewer scavenges cut its garbage-collection time (bench/detector.ts).
const YOUNG_SPACE_MB = 64

export interface JudgePool {
  judge(file: string): Promise<Judged>
  close(): Promise<void>
}

export interface PoolOptions {
  files: readonly string[]
  /** thread count: SKIMWATCH_ANALYZE_THREADS, or what threadCount chose */
  threads: number | undefined
  signaturesDir: string | undefined
  keepSource: boolean
  /** where broken signature files are reported, each message once; none: they stay quiet */
  warn?: (message: string) => void
}

/** The compiled worker script, when this is the compiled build. */
function workerScript(): URL | undefined {
  return typeof __skimwatchRoot === 'undefined'
    ? undefined
    : new URL('dist/analyze-worker.js', __skimwatchRoot)
}

/** Below this many bytes in all, a batch is judged on the main thread unless told otherwise. */
export const THREADED_BYTES = 1024 * 1024

/**
 * Threads for a batch unless told otherwise; 1 means the main thread. None below
 * THREADED_BYTES: a thread costs about 0.1 s to start, and a small batch is over sooner without.
 * Above, one per core but one, at most 8: the core left over is V8's, whose optimising compiler
 * and garbage collector run on background threads of every isolate. On 2 cores one analysis
 * thread beat two (paired farm-bench over the npm corpus: 0.91× the wall time, 0.73× the CPU).
 */
export function defaultThreads(bytes: number, files: number, cores: number): number {
  if (bytes < THREADED_BYTES) return 1
  return Math.max(1, Math.min(files, cores - 1, 8))
}

/** How many threads to use for `files`; 1 means judge on the main thread. */
export function threadCount(files: readonly string[], configured: number | undefined): number {
  if (!workerScript()) return 1
  if (configured !== undefined) return Math.max(1, Math.min(files.length, configured))
  let bytes = 0
  for (let i = 0; i < files.length && bytes < THREADED_BYTES; i++)
    bytes += sizeOf(files[i] as string)
  return defaultThreads(bytes, files.length, availableParallelism())
}

interface Job {
  id: number
  file: string
  /** bytes on disk: the largest waiting file is judged first */
  size: number
  done: (j: Judged) => void
}

/** A file's size, or 0 when it cannot be read (its thread reports why). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/**
 * The largest waiting job, taken from the queue. Files judged largest first end together: a
 * large file picked up last would keep one thread busy while the others have nothing left.
 */
export function largest<J extends { size: number }>(queue: J[]): J | undefined {
  let at = -1
  for (let i = 0; i < queue.length; i++)
    if (at < 0 || (queue[i] as J).size > (queue[at] as J).size) at = i
  return at < 0 ? undefined : queue.splice(at, 1)[0]
}

interface Slot {
  worker: Worker
  job: Job | undefined
  /** the thread has loaded the detector: a job given before then waits in the queue */
  ready: boolean
}

// Loaded only when threads are asked for: most runs judge on the main thread and start faster.
const builtin = createRequire(import.meta.url)

export function createJudgePool(opts: PoolOptions): JudgePool {
  const script = workerScript()
  if (!script) throw new Error('analyze threads need the compiled build (dist/)')
  const { Worker: Thread } = builtin('node:worker_threads') as typeof WorkerThreads
  const size = threadCount(opts.files, opts.threads)
  const queue: Job[] = []
  const slots = new Set<Slot>()
  let nextId = 0
  let closed = false
  // Every thread reports the same broken files. Printing only the first thread's would lose
  // them when that thread is closed before it has loaded: the others may have judged every
  // file by then. A thread's warnings arrive before its first verdict, so each is printed once.
  const warned = new Set<string>()

  const spawn = (): void => {
    const worker = new Thread(script, {
      workerData: { signaturesDir: opts.signaturesDir, keepSource: opts.keepSource },
      resourceLimits: {
        maxOldGenerationSizeMb: OLD_SPACE_MB,
        maxYoungGenerationSizeMb: YOUNG_SPACE_MB,
      },
      stdout: false,
      stderr: false,
    })
    const slot: Slot = { worker, job: undefined, ready: false }
    slots.add(slot)
    worker.on('message', (m: { ready?: true; warning?: string; id?: number; judged?: Judged }) => {
      if (m.warning !== undefined && !warned.has(m.warning)) {
        warned.add(m.warning)
        opts.warn?.(m.warning)
      }
      const job = slot.job
      if (m.judged && job && job.id === m.id) {
        slot.job = undefined
        job.done(m.judged)
      }
      if (m.ready) slot.ready = true
      if (m.ready || m.judged) feed(slot)
    })
    worker.on('error', (err) => stopped(slot, err.message))
    worker.on('exit', (code) => stopped(slot, `exit code ${code}`))
  }

  // a thread that stopped fails the file it held and is replaced while files remain
  const stopped = (slot: Slot, why: string): void => {
    if (!slots.delete(slot)) return
    const job = slot.job
    slot.job = undefined
    job?.done({
      file: job.file,
      error: `cannot judge ${job.file}: its analysis thread stopped (${why})`,
    })
    if (!closed && queue.length > 0) spawn()
  }

  const feed = (slot: Slot): void => {
    if (slot.job || !slot.ready || closed) return
    const job = largest(queue)
    if (!job) return
    slot.job = job
    slot.worker.postMessage({ id: job.id, file: job.file } satisfies AnalyzeJob)
  }

  return {
    judge(file) {
      return new Promise<Judged>((done) => {
        queue.push({ id: nextId++, file, size: sizeOf(file), done })
        if (slots.size < size) spawn()
        else for (const s of slots) feed(s)
      })
    },
    async close() {
      closed = true
      await Promise.all([...slots].map((s) => s.worker.terminate()))
      slots.clear()
    },
  }
}
