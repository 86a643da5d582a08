// The network between the terminals and the API: a TCP proxy that can be cut (answers dropped, new connections reset) and restored.
import net from 'node:net'

interface Link {
  client: net.Socket
  upstream: net.Socket
}

export class ChaosProxy {
  private readonly server: net.Server
  private readonly links = new Set<Link>()
  private cut = false
  /** Connections refused or dropped while cut. */
  dropped = 0

  private constructor (private readonly targetPort: number) {
    this.server = net.createServer((client) => this.accept(client))
  }

  /** Listens on a free port of 127.0.0.1 and forwards to 127.0.0.1:targetPort. */
  static async start (targetPort: number): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(targetPort)
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject)
      proxy.server.listen(0, '127.0.0.1', () => resolve())
    })
    return proxy
  }

  get port (): number { return (this.server.address() as net.AddressInfo).port }
  get url (): string { return `http://127.0.0.1:${this.port}` }

  /**
   * The cable is pulled, the worst way round: on connections open at the cut, requests still reach the API but
   * its answers are dropped (a rating is stored while its terminal never hears so, and must send it again);
   * new connections are reset. Answers how many connections were open.
   */
  cutNetwork (): number {
    this.cut = true
    for (const link of this.links) {
      link.upstream.unpipe(link.client)
      link.upstream.on('data', () => { /* dropped */ })
    }
    return this.links.size
  }

  /** The cable is back: connections from before the cut are gone (their state was lost), new ones go through. */
  restoreNetwork (): void {
    this.cut = false
    for (const link of this.links) this.close(link)
  }

  async close (): Promise<void>
  close (link: Link): void
  close (link?: Link): Promise<void> | void {
    if (link !== undefined) {
      this.links.delete(link)
      link.client.destroy()
      link.upstream.destroy()
      return
    }
    for (const open of this.links) this.close(open)
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private accept (client: net.Socket): void {
    client.on('error', () => {})
    if (this.cut) {
      this.dropped++
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1')
    upstream.on('error', () => {})
    const link: Link = { client, upstream }
    this.links.add(link)
    client.pipe(upstream)
    upstream.pipe(client)
    // The API went away (killed) or the terminal hung up: the other side goes too, as with a real connection.
    const end = (): void => {
      if (this.links.has(link)) this.close(link)
    }
    client.once('close', end)
    upstream.once('close', end)
  }
}
