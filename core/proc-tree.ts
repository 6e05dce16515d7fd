// Reads the process tree under a pid from /proc (Linux): for peak-RSS sampling and crash tests.
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcInfo {
  pid: number
  ppid: number
  /** executable name as the kernel reports it (at most 15 characters) */
  comm: string
  rssBytes: number
}

const PAGE_BYTES = 4096

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // comm may hold spaces and parentheses; the fields after the last ')' are fixed.
    const open = stat.indexOf('(')
    const close = stat.lastIndexOf(')')
    const fields = stat.slice(close + 2).split(' ')
    const rssPages = Number(fields[21] ?? 0)
    return {
      pid,
      ppid: Number(fields[1] ?? 0),
      comm: stat.slice(open + 1, close),
      rssBytes: rssPages * PAGE_BYTES,
    }
  } catch {
    // The process ended between listing and reading.
    return null
  }
}

/** `root` and every process below it. */
export function processTree(root: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is ProcInfo => p !== null)
  const children = new Map<number, ProcInfo[]>()
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const out: ProcInfo[] = []
  const self = all.find((p) => p.pid === root)
  const queue = self ? [self] : []
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    out.push(p)
    queue.push(...(children.get(p.pid) ?? []))
  }
  return out
}

/** Proportional set size: shared pages split between the processes that map them. */
function pssBytes(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

/** Summed RSS of `root` and its descendants, in bytes; cheap enough to sample often. */
export const treeRss = (root: number): number =>
  processTree(root).reduce((sum, p) => sum + p.rssBytes, 0)

/** Summed PSS of `root` and its descendants; costly (~70 ms for 30 Chromium processes). */
export const treePss = (root: number): number =>
  processTree(root).reduce((sum, p) => sum + pssBytes(p.pid), 0)

/** Direct children of `root` whose executable name contains `name`. */
export const childrenNamed = (root: number, name: string): ProcInfo[] =>
  processTree(root).filter((p) => p.ppid === root && p.comm.includes(name))

const TICKS_PER_SECOND = 100

/** utime + stime of one process in seconds, or null once it is gone. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND
  } catch {
    return null
  }
}

/**
 * CPU seconds of every process below `root` (not `root` itself), sampled: Chromium's renderers
 * are reaped by its zygote, so rusage of reaped children never sees them. Call `sample` often;
 * a process that ends between samples loses only its last interval.
 */
export function treeCpuMeter(root: number): { sample(): void; seconds(): number } {
  const last = new Map<number, number>()
  // Processes running at the first sample count from there; later ones from their start.
  const base = new Map<number, number>()
  let first = true
  const sample = () => {
    for (const p of processTree(root)) {
      const cpu = p.pid === root ? null : processCpuSeconds(p.pid)
      if (cpu === null) continue
      if (!base.has(p.pid)) base.set(p.pid, first ? cpu : 0)
      last.set(p.pid, cpu)
    }
    first = false
  }
  sample()
  const seconds = () => {
    let total = 0
    for (const [pid, cpu] of last) total += cpu - (base.get(pid) ?? 0)
    return total
  }
  return { sample, seconds }
}
/** CPU seconds used by this process and every child it has reaped (closed browsers included). */
export function cpuSecondsWithChildren(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime, stime, cutime, cstime are fields 14-17 of stat(5); the slice starts at field 3.
  const ticks = fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0)
  return ticks / TICKS_PER_SECOND
}
