// Worker thread of the live benchmark: the supervisors' dashboards, one WebSocket each, noting when each rating event arrives.
// A thread of its own, so parsing 100 sockets' events does not delay the load generator's clock, and vice versa.
import { parentPort, workerData } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'

export interface DashboardsInput {
  url: string
  cookies: string[]
}

/** From the main thread: 'report' asks for every receipt so far; 'close' ends the sockets. */
export type DashboardsCommand = 'report' | 'close'

export type DashboardsMessage =
  | { type: 'ready' }
  | { type: 'failed', message: string }
  | { type: 'report', ids: string[], times: Float64Array, sockets: number, otherEvents: number, closed: number }

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between threads. */
const now = (): number => performance.timeOrigin + performance.now()

const { url, cookies } = workerData as DashboardsInput
const port = parentPort!
/** Per rating id, one receipt time per socket (NaN: not received). */
const receipts = new Map<string, Float64Array>()
let otherEvents = 0
let closed = 0

function connect (cookie: string, index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { cookie } })
    socket.on('message', (raw) => {
      const at = now()
      // One event, or an array of the events the server sent in one tick.
      const events = [JSON.parse(raw.toString())].flat() as Array<{ type: string, rating?: { id: string } }>
      for (const event of events) {
        if (event.type === 'hello') {
          resolve(socket)
          continue
        }
        if (event.type !== 'rating' || event.rating === undefined) {
          otherEvents++
          continue
        }
        let times = receipts.get(event.rating.id)
        if (times === undefined) {
          times = new Float64Array(cookies.length).fill(Number.NaN)
          receipts.set(event.rating.id, times)
        }
        times[index] = at
      }
    })
    socket.on('close', () => { closed++ })
    socket.on('error', reject)
  })
}

try {
  const sockets = await Promise.all(cookies.map((cookie, index) => connect(cookie, index)))
  port.postMessage({ type: 'ready' } satisfies DashboardsMessage)
  port.on('message', (command: DashboardsCommand) => {
    if (command === 'report') {
      const ids = [...receipts.keys()]
      const times = new Float64Array(ids.length * cookies.length)
      ids.forEach((id, row) => times.set(receipts.get(id)!, row * cookies.length))
      const report = { type: 'report', ids, times, sockets: cookies.length, otherEvents, closed } satisfies DashboardsMessage
      port.postMessage(report, [times.buffer])
    } else {
      for (const socket of sockets) socket.close()
      port.close()
    }
  })
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies DashboardsMessage)
}
