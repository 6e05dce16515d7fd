// A worker thread of `analyze`: judges the files it is sent with its own detector (the same
// signatures as the main thread) and posts each static verdict back.
import { parentPort, workerData } from 'node:worker_threads'
import { createPipelineDetector } from '../pipeline/signatures.ts'
import { judgeFile } from './analyze-files.ts'

export interface AnalyzeJob {
  id: number
  file: string
}

const { signaturesDir, keepSource } = workerData as {
  signaturesDir: string | undefined
  keepSource: boolean
}
const port = parentPort
if (!port) throw new Error('analyze-worker runs only as a worker thread')
// every thread reports broken signature files before it is ready; the pool prints each once
const detector = await createPipelineDetector(signaturesDir, (warning) =>
  port.postMessage({ warning }),
)
port.on('message', (job: AnalyzeJob) => {
  void judgeFile(detector, job.file, keepSource).then((judged) =>
    port.postMessage({ id: job.id, judged }),
  )
})
port.postMessage({ ready: true })
