// Turns the observing init script's reports into the observation's records, keeping only
// what the sample (or code it made) did: reports from our page's own scripts are dropped.
import type { CDPSession } from 'playwright'
import type { Observation } from '../../core/types.ts'
import { INJECT_MARK, PROBE_MARK, RTC_MARK, STORE_MARK, TRANSPORT_MARK } from '../init-observe.ts'
import { CODE_MARK, LINK_MARK, LISTEN_MARK, READ_MARK } from '../init-script.ts'
import type { CodeTracker, Stack } from './code.ts'

const MAX_ENTRIES = 500
const MAX_DEBUGGER_PAUSES = 20
// jQuery's form serialisers read every field's value on the sample's behalf.
const SERIALIZERS = new Set(['serialize', 'serializeArray', 'param'])

/** A request-like thing only the init script sees: a resource hint, a WebRTC or WebTransport attempt. */
export interface HintedRequest {
  url: string
  method: string
  type: 'link' | 'webtransport' | 'other'
  body: string | null
}

export interface ReportLog {
  reads: Observation['reads']
  listeners: Observation['listeners']
  injected: Observation['injected']
  storage: Observation['storage']
  probes: string[]
  hinted: HintedRequest[]
  /** Bumped whenever the sample adds a listener (its own page's first of each kind). */
  activity(): number
  /** True once V8 hit the page's heap limit (the page is then crashed on purpose). */
  outOfMemory(): boolean
}

class Unique<T> {
  readonly items: T[] = []
  private readonly keys = new Set<string>()
  add(item: T, key = JSON.stringify(item)): boolean {
    if (this.keys.has(key) || this.items.length >= MAX_ENTRIES) return false
    this.keys.add(key)
    this.items.push(item)
    return true
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

function readHow(how: string, stack: Stack | undefined): string {
  for (let s = stack; s !== undefined; s = s.parent) {
    if (s.callFrames.some((f) => SERIALIZERS.has(f.functionName ?? ''))) return 'serialize'
  }
  return how
}

/** Call before Runtime.enable and Debugger.enable so no report is missed. */
export function collectReports(cdp: CDPSession, code: CodeTracker): ReportLog {
  const reads = new Unique<Observation['reads'][number]>()
  const listeners = new Unique<Observation['listeners'][number]>()
  const injected = new Unique<Observation['injected'][number]>()
  const storage = new Unique<Observation['storage'][number]>()
  const probes = new Unique<string>()
  const hinted = new Unique<HintedRequest>()
  let bumps = 0

  cdp.on('Runtime.consoleAPICalled', (e) => {
    const { type, args, stackTrace } = e as {
      type: string
      args: Array<{ value?: unknown }>
      stackTrace?: Stack
    }
    if (type !== 'debug') return
    const [mark, a, b] = args.map((x) => x.value)
    if (mark === CODE_MARK) {
      const text = str(a)
      if (text !== null) code.noteCode(text, str(b) ?? 'script', code.fromSample(stackTrace))
      return
    }
    if (typeof mark !== 'string' || !code.fromSample(stackTrace)) return
    const [first, second] = [str(a), str(b)]
    if (mark === READ_MARK && first !== null) {
      reads.add({ field: first, how: readHow(second ?? 'value', stackTrace) })
    } else if (mark === LISTEN_MARK && first !== null && second !== null) {
      // Counted per page, duplicates included: a hook added late on the next page is late there too.
      listeners.add({ target: first, type: second })
      bumps++
    } else if (mark === INJECT_MARK && first !== null) {
      injected.add({ tag: first, url: second })
    } else if (mark === STORE_MARK && first !== null && second !== null) {
      storage.add({ area: first, key: second })
    } else if (mark === PROBE_MARK && first !== null) {
      probes.add(first)
    } else if (mark === LINK_MARK && first !== null) {
      hinted.add({ url: first, method: (second ?? 'link').toUpperCase(), type: 'link', body: null })
    } else if (mark === RTC_MARK && first !== null) {
      hinted.add({ url: first, method: 'RTC', type: 'other', body: second })
    } else if (mark === TRANSPORT_MARK && first !== null) {
      hinted.add({
        url: first,
        method: second === null ? 'CONNECT' : 'SEND',
        type: 'webtransport',
        body: second,
      })
    }
  })

  // `debugger;` statements are noted, then breakpoints are switched off so anti-debugging loops
  // cannot stall the run. Pauses stay on: V8 pauses at its heap limit, and a page paused there
  // is crashed on purpose (resumed, V8 would raise the limit and let it grow on).
  let pauses = 0
  let oom = false
  cdp.on('Debugger.paused', (e) => {
    const { reason } = e as { reason: string }
    if (reason === 'OOM') {
      oom = true
      void cdp.send('Page.crash').catch(() => undefined)
      return
    }
    if (reason === 'other') probes.add('debugger statement')
    if (++pauses === MAX_DEBUGGER_PAUSES)
      void cdp.send('Debugger.setBreakpointsActive', { active: false }).catch(() => undefined)
    void cdp.send('Debugger.resume').catch(() => undefined)
  })

  return {
    reads: reads.items,
    listeners: listeners.items,
    injected: injected.items,
    storage: storage.items,
    probes: probes.items,
    hinted: hinted.items,
    activity: () => bumps,
    outOfMemory: () => oom,
  }
}
