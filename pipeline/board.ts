// Bull Board over the stage queues, as a fastify plugin the review app mounts without ever
// touching BullMQ itself. Read-only: jobs are changed through skimwatch's own commands.
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { FastifyPluginCallback } from 'fastify'
import type { StageQueues } from './queues.ts'

export const BOARD_PATH = '/queues/board'

export function queueBoard(queues: StageQueues): FastifyPluginCallback {
  const server = new FastifyAdapter()
  server.setBasePath(BOARD_PATH)
  createBullBoard({
    queues: Object.values(queues).map(
      (q) => new BullMQAdapter(q, { readOnlyMode: true, allowRetries: false }),
    ),
    serverAdapter: server,
    options: {
      uiConfig: { boardTitle: 'skimwatch', miscLinks: [{ text: 'Back to skimwatch', url: '/' }] },
    },
  })
  return server.registerPlugin() as unknown as FastifyPluginCallback
}
