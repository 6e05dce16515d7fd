// A child process that judges what its parent sends: a run that hangs or exhausts memory
// kills this process, not the test runner, and the parent names the input that did it.
import { analyzeScript, type DocumentContext } from '../../../detector/index.ts'

interface Request {
  id: number
  input: string
  ctx: DocumentContext
}

process.on('message', (m: Request) => {
  const started = performance.now()
  try {
    const verdict = analyzeScript(m.input, m.ctx)
    process.send?.({ id: m.id, verdict, ms: performance.now() - started })
  } catch (err) {
    process.send?.({
      id: m.id,
      thrown: err instanceof Error ? (err.stack ?? err.message) : String(err),
    })
  }
})
process.send?.({ ready: true })
