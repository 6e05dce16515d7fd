// Turns the init script's console.debug reports into attribution records, with CDP's stacks.
import type { CDPSession } from 'playwright'
import { CODE_MARK, LINK_MARK, LISTEN_MARK, READ_MARK, SEND_MARK, WS_MARK } from './init-script.ts'
import type { RequestCollector } from './requests.ts'
import type { ScriptCollector, StackTrace } from './scripts.ts'

export interface MarkLog {
  /** sha256 (or null) of each script that read or listened on a card field */
  readers: Array<Promise<string | null>>
  /** how many key/input listeners went onto card fields so far */
  listens(): number
}

/** Call before Runtime.enable so no report is missed. */
export function listenToMarks(
  cdp: CDPSession,
  scripts: ScriptCollector,
  requests: RequestCollector,
): MarkLog {
  const readers: Array<Promise<string | null>> = []
  let listens = 0
  cdp.on('Runtime.consoleAPICalled', (e) => {
    const { type, args, stackTrace } = e as {
      type: string
      args: Array<{ value?: unknown }>
      stackTrace?: StackTrace
    }
    if (type !== 'debug') return
    const mark = args[0]?.value
    const value = args[1]?.value
    if (mark === LISTEN_MARK) listens++
    if (mark === READ_MARK || mark === LISTEN_MARK) {
      if (readers.length < 1000) readers.push(scripts.attribute(stackTrace))
      return
    }
    if (typeof value !== 'string') return
    if (mark === SEND_MARK) requests.noteSource(value, stackTrace)
    else if (mark === WS_MARK) requests.noteWsSend(value, stackTrace)
    else if (mark === CODE_MARK) scripts.noteCode(value, stackTrace)
    else if (mark === LINK_MARK) {
      const rel = args[2]?.value
      requests.noteLink(value, typeof rel === 'string' ? rel : 'link', stackTrace)
    }
  })
  return { readers, listens: () => listens }
}
