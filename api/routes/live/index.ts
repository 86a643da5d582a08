// WS /api/v1/live: rating, alert and case events for the signed-in user's subtree, for as long as the session holds.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { UserLiveEvent } from '../../../contract/live.ts'
import { websocketRequired } from '../../errors.ts'
import { LiveClose } from '../../plugins/app/live.ts'

const live: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: 'GET',
    url: '/live',
    // requireUser checks the session and, on an upgrade, the Origin (as for cookie-authenticated writes).
    preHandler: app.requireUser(),
    schema: { hide: true, tags: ['live'], summary: 'WebSocket of {type:"rating"|"alert"|"case"} events in your scope; one message holds an event or an array of events' },
    // A plain GET (no Upgrade) gets a JSON error with a code, not an empty 404.
    handler: async () => { throw websocketRequired() },
    wsHandler: (socket, request) => {
      const actor = request.actor!
      if (actor.kind !== 'user') return socket.close(LiveClose.ENDED, 'sign in first')
      // The events of one tick go out as one message (a JSON array when there are several): a commit of 50
      // ratings costs each socket one frame and one write, not 50.
      let queued: string[] = []
      const flush = (): void => {
        const texts = queued
        queued = []
        if (texts.length === 0 || socket.readyState !== socket.OPEN) return
        socket.send(texts.length === 1 ? texts[0]! : `[${texts.join(',')}]`)
      }
      const unsubscribe = app.live.subscribeUserSocket({
        userId: actor.userId,
        sessionHash: actor.sessionHash,
        role: actor.role,
        rootUnitId: actor.unitId,
        officerId: actor.role === 'officer' ? actor.officerId : null,
        address: request.ip,
        send: (_event, text) => {
          if (queued.push(text) === 1) setImmediate(flush)
        },
        close: (code, reason) => {
          // Events queued for this tick were judged before the session ended: drop them rather than send late.
          queued = []
          socket.close(code, reason)
        }
      })
      if (unsubscribe === 'TOO_MANY') return socket.close(LiveClose.TOO_MANY, 'too many live sockets')
      socket.on('close', unsubscribe)
      socket.on('message', () => { /* the feed is one-way */ })
      socket.send(JSON.stringify({ type: 'hello', scope: { unitId: actor.unitId, role: actor.role } } satisfies UserLiveEvent))
    }
  })
}

export default live
