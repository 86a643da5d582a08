// Behind a proxy (issue 13 §4): TRUST_PROXY is a hop count or the proxies' addresses, never "believe anyone".
import t from 'tap'
import { ConfigError, loadConfig } from '../../api/config.ts'
import { build } from '../helper.ts'

t.test('TRUST_PROXY: a hop count or addresses/CIDRs; "true" is refused with one line saying what to set', async (t) => {
  t.equal(loadConfig({}).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1)
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  t.same(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'])
  for (const value of ['true', 'TRUE', 'yes']) {
    const error = t.throws(() => loadConfig({ TRUST_PROXY: value })) as ConfigError
    t.equal(error.variable, 'TRUST_PROXY')
    t.match(error.message, /hop count.*addresses/, `"${value}" names what to set instead`)
    t.notMatch(error.message, /\n/, 'in one line')
  }
  for (const value of ['maybe', '10.0.0.0/33', '300.1.1.1', '10.0.0.1/8/1', '11']) {
    t.throws(() => loadConfig({ TRUST_PROXY: value }), /^TRUST_PROXY must be/, `"${value}" is refused`)
  }
})

// nginx on the same host (127.0.0.1) appends the address it saw to whatever X-Forwarded-For the client sent.
const viaNginx = (clientHeader: string, client = '203.0.113.9') => ({
  remoteAddress: '127.0.0.1',
  headers: { 'x-forwarded-for': `${clientHeader}, ${client}` }
})

for (const [label, trustProxy] of [
  ['one hop', 1],
  ["the proxy's address", ['127.0.0.1']],
  ["the proxy's network", ['127.0.0.0/8', '10.9.0.0/16']]
] as const) {
  t.test(`behind nginx, trusting ${label}: a forged first X-Forwarded-For reaches neither /metrics nor a fresh rate limit`, async (t) => {
    const app = await build(t, { trustProxy: trustProxy as number | string[] })
    const forged = await app.inject({ url: '/metrics', ...viaNginx('10.0.0.1') })
    t.equal(forged.statusCode, 403, 'X-Forwarded-For: 10.0.0.1, 203.0.113.9 from outside is refused')
    t.equal(forged.json().code, 'METRICS_PRIVATE')
    const inside = await app.inject({ url: '/metrics', ...viaNginx('203.0.113.50', '10.1.2.3') })
    t.equal(inside.statusCode, 200, 'a caller on the private network, through nginx, is let in')

    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/terminals/pair',
        payload: { pairingCode: '00000000' },
        ...viaNginx(`10.0.${i}.1`)
      })
      statuses.push(response.statusCode)
    }
    t.same(statuses, [...Array(10).fill(400), 429, 429], 'rotating the first address does not escape the per-address pairing limit')
  })
}

t.test('with an address list, a client that reaches the API directly cannot forge its address', async (t) => {
  const app = await build(t, { trustProxy: ['127.0.0.1'] })
  const direct = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': '10.0.0.1' } })
  t.equal(direct.statusCode, 403, 'not from the proxy: X-Forwarded-For is ignored')
})
