// Bad input on every route of the OpenAPI document: never a 5xx, every 4xx a JSON error with a stable code, and no row
// changed by a rejected request. FUZZ_RUNS (default 5000 a database) and FUZZ_SEED (printed) replay a run.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import fc from 'fast-check'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { build, databaseKind } from '../helper.ts'
import { seedAssignment, seedCentre, seedUser } from '../fixtures.ts'
import { RatingItem } from '../../contract/terminals.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { fillPath, operationsOf, type JsonSchema, type Operation } from './openapi.ts'
import { changedTables, fingerprinter, pinBookkeeping, type Snapshot } from './snapshot.ts'

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000)
const SEED =
  process.env.FUZZ_SEED === undefined || process.env.FUZZ_SEED === '' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED)
const CHUNK = 250
// A full-size run on a loaded machine outlasts the default per-file timeout: allow about 80 ms a request.
t.setTimeout(Math.max(300_000, RUNS * 80))

// Hidden from the document by @fastify/websocket, but reachable over plain HTTP: fuzzed too.
const hiddenRoutes: Operation[] = [
  { key: 'GET /api/v1/live', method: 'GET', path: '/api/v1/live', parameters: [], body: null, security: ['session'] },
  { key: 'GET /api/v1/terminal/live', method: 'GET', path: '/api/v1/terminal/live', parameters: [], body: null, security: ['bearer'] }
]

/** Where the document says only "unknown": the shape the route checks itself, so items get past the first check. */
const bodyHints: Record<string, (schema: JsonSchema) => JsonSchema> = {
  'POST /api/v1/terminal/ratings': (schema) => ({
    ...schema,
    properties: { ...schema.properties, ratings: { ...schema.properties.ratings, items: RatingItem } }
  })
}

t.test(`${RUNS} generated bad requests across every route (${databaseKind}, seed ${SEED})`, async (t) => {
  t.comment(
    `replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}${databaseKind === 'postgres' ? ' DATABASE_URL=…' : ''} npx tap test/security/fuzz.test.ts`
  )
  const app = await build(t)

  // A province with two centres, a case, an API token, a shift: ids for the paths and bodies to point at.
  const a = await seedCentre(app.db, { counters: 3, officers: 3 })
  const b = await seedCentre(app.db, { parentId: a.provinceId })
  await seedAssignment(app.db, a.counterIds[0]!, a.officers[0]!.id)
  const admin = await seedUser(app.db, 'admin', null)
  await seedUser(app.db, 'supervisor', a.communeId)
  await seedUser(app.db, 'officer', a.centreId, { officerId: a.officers[1]!.id })
  const apiToken = newToken('hla')
  await app.db
    .insertInto('api_tokens')
    .values({
      name: 'Cổng dữ liệu',
      unit_id: a.provinceId,
      token_hash: hashToken(apiToken),
      created_by: null,
      last_used_at: null,
      revoked_at: null
    })
    .execute()
  const victimToken = await app.db
    .insertInto('api_tokens')
    .values({
      name: 'Thử thu hồi',
      unit_id: b.centreId,
      token_hash: hashToken(newToken('hla')),
      created_by: null,
      last_used_at: null,
      revoked_at: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const ingest = await app.inject({
    method: 'POST',
    url: '/api/v1/terminal/ratings',
    headers: { authorization: `Bearer ${a.terminal.token}` },
    payload: {
      ratings: [
        { id: randomUUID(), level: 1, ratedAt: new Date(Date.now() - 60_000).toISOString() },
        { id: randomUUID(), level: 4, criteria: { xin_chao: true }, ratedAt: new Date(Date.now() - 30_000).toISOString() }
      ]
    }
  })
  t.equal(ingest.statusCode, 200, 'seed ratings stored')
  const rule = await app.db
    .insertInto('alert_rules')
    .values({ unit_id: a.centreId, kind: 'unsatisfied_streak', parameters: JSON.stringify({ count: 3 }), enabled: true, created_by: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  await app.db
    .insertInto('alerts')
    .values({
      unit_id: a.centreId,
      rule_id: rule.id,
      kind: 'unsatisfied_streak',
      counter_id: a.counterIds[0]!,
      details: JSON.stringify({ parameters: { count: 3 } })
    })
    .execute()
  await app.rollups.drain()

  let session = ''
  let ip = 0
  const nextIp = (): string => `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip++ & 255}`
  async function signIn (): Promise<void> {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: nextIp(),
      payload: { username: admin.username, password: admin.password }
    })
    if (login.statusCode !== 200) throw new Error(`admin login failed: ${login.body}`)
    session = login.cookies[0]!.value
  }
  await signIn()

  // Every UUID primary key in the database, but never the admin we sign in as nor the terminal we post as.
  const protectedIds = new Set([admin.id, a.terminal.id])
  const idTables = await sql<{ table_name: string }>`select table_name from information_schema.columns
    where table_schema = current_schema() and column_name = 'id' and data_type = 'uuid' order by table_name`.execute(app.db)
  const pool: string[] = [victimToken.id]
  const poolByTable = new Map<string, string[]>()
  for (const { table_name: table } of idTables.rows) {
    const rows = await sql<{ id: string }>`select id from ${sql.table(table)} order by id limit 40`.execute(app.db)
    const ids = rows.rows.map((row) => row.id).filter((id) => !protectedIds.has(id))
    poolByTable.set(table, ids)
    pool.push(...ids)
  }
  const criteriaCodes = (await app.db.selectFrom('criteria').select('code').execute()).map((row) => row.code)

  const { operations: documented, resolve } = operationsOf(app)
  t.ok(documented.length >= 40, `the OpenAPI document lists ${documented.length} operations`)
  const operations = [...documented, ...hiddenRoutes]

  // ---- values ------------------------------------------------------------------------------------------------
  const sqlInjection = fc.constantFrom(
    "' OR '1'='1",
    "'; DROP TABLE units; --",
    '1; select pg_sleep(10); --',
    '" OR 1=1 --',
    "' UNION SELECT password_hash, null FROM users --",
    '$$; delete from ratings; $$',
    "') OR ('a'='a",
    "%' --",
    "admin'--",
    "1' AND (SELECT count(*) FROM users) > 0 --",
    "\\'; truncate sessions; --",
    "'||(select token_hash from api_tokens limit 1)||'",
    "00000000-0000-0000-0000-000000000000' or 1=1--"
  )
  const unicode = fc.constantFrom(
    '\ud800',
    '\udfff',
    'a\udc00b',
    '\u0000',
    'x\u0000y',
    '\u202eRTL override\u202c',
    '\u200f\u200e\u061c',
    'e' + '\u0301'.repeat(500),
    '👩‍👩‍👧‍👦🇻🇳',
    '\ufeffBOM',
    '\u200b\u200c\u200d',
    'Ｆｕｌｌｗｉｄｔｈ',
    '𝕳𝖆𝖎 𝕷𝖔̀𝖓𝖌',
    'Z̸̢̛̗̤a̵͈͕l̶̗g̷̨o̶̟',
    '\u2028\u2029',
    '\r\n\t\v\f',
    'İı',
    'ﷺ'.repeat(100),
    'Nguyễn Thị Hồng',
    'Hài Lòng\u0000',
    '\uFFFF\uFFFE',
    '😀'.repeat(300)
  )
  const wrongType = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant([]),
    fc.constant({}),
    fc.string({ maxLength: 12 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.constantFrom('1', 'true', '1e3', '-0', 'NaN', 'Infinity', 'null', '[]', '{}'),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 })
  )
  const oddNumber = fc.constantFrom(-1, 0, -0, 1.5, 0.1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE, 99999999999)
  const uuidish = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pool) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff') }
  )
  const badUuid = fc.oneof(
    fc.constantFrom(
      'not-a-uuid',
      '',
      ' ',
      '1',
      '-1',
      '0x10',
      'null',
      'undefined',
      '{}',
      '[]',
      pool[0]!.toUpperCase(),
      `{${pool[0]}}`,
      `${pool[0]} `,
      `${pool[0]}0`,
      pool[0]!.replace(/-/g, ''),
      'g0000000-0000-0000-0000-000000000000'
    ),
    sqlInjection,
    unicode,
    fc.string({ maxLength: 40 })
  )
  const samples = [
    'Quầy 1',
    'Trung tâm Phục vụ hành chính công',
    'abc',
    'user.name_1',
    'xin_chao',
    '1234',
    '12345678',
    'https://example.vn/a.jpg',
    '/photos/a.jpg',
    'ABC-01',
    'mat-khau-dai-1',
    'resolved',
    'Đã xin lỗi công dân',
    '2026-11-01',
    '2026-11-27T08:00:00+07:00',
    'day',
    'vi',
    'a'
  ]

  const regex = (pattern: string): RegExp | null => {
    try {
      return new RegExp(pattern, 'u')
    } catch {
      return null
    }
  }
  function stringArb (schema: JsonSchema): fc.Arbitrary<string> {
    if (schema.format === 'uuid') return uuidish
    if (schema.format === 'date-time') {
      return fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }).map((date) => date.toISOString())
    }
    if (schema.format === 'date') return fc.constantFrom('2026-11-01', '2026-11-27', '2025-07-01')
    const min = schema.minLength ?? 0
    const max = schema.maxLength ?? 200
    const pattern = typeof schema.pattern === 'string' ? regex(schema.pattern) : null
    const fits = (value: string): boolean => value.length >= min && value.length <= max && (pattern === null || pattern.test(value))
    const known = [
      ...(schema.examples ?? []),
      ...(schema.example === undefined ? [] : [schema.example]),
      ...samples,
      ...criteriaCodes
    ].filter((value) => typeof value === 'string' && fits(value))
    const free = fc.string({ minLength: min, maxLength: Math.min(max, min + 20) }).filter(fits)
    if (known.length === 0) return pattern === null ? free : fc.constant('x'.repeat(Math.max(min, 1)))
    return pattern === null ? fc.oneof(fc.constantFrom(...known), free) : fc.constantFrom(...known)
  }

  /** A value the schema accepts, or close to it. */
  function valid (node: JsonSchema, depth = 0, complete = false): fc.Arbitrary<unknown> {
    const schema = resolve(node)
    if (depth > 6) return fc.constant(null)
    if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map((branch: JsonSchema) => valid(branch, depth + 1, complete)))
    if (Array.isArray(schema.oneOf)) return fc.oneof(...schema.oneOf.map((branch: JsonSchema) => valid(branch, depth + 1, complete)))
    if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum)
    if ('const' in schema) return fc.constant(schema.const)
    switch (schema.type) {
      case 'object': {
        const properties: Record<string, JsonSchema> = schema.properties ?? {}
        if (Object.keys(properties).length === 0 && schema.patternProperties !== undefined) {
          const [value] = Object.values(schema.patternProperties) as JsonSchema[]
          return fc.dictionary(criteriaCodes.length > 0 ? fc.constantFrom(...criteriaCodes) : fc.string(), valid(value!, depth + 1), {
            maxKeys: 4
          })
        }
        const arbitraries = Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [name, valid(property, depth + 1, complete)])
        )
        return complete
          ? fc.record(arbitraries)
          : fc.record(arbitraries, { requiredKeys: (schema.required ?? []).filter((name: string) => name in properties) })
      }
      case 'array': {
        const min = schema.minItems ?? 0
        return fc.array(valid(schema.items ?? {}, depth + 1, complete), {
          minLength: Math.max(min, complete ? 1 : 0),
          maxLength: Math.min(schema.maxItems ?? min + 3, min + 3)
        })
      }
      case 'string':
        return stringArb(schema)
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? Math.max(100, (schema.minimum ?? 0) + 100) })
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true })
      case 'boolean':
        return fc.boolean()
      case 'null':
        return fc.constant(null)
      default:
        return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean())
    }
  }

  const longString = (length: number): fc.Arbitrary<string> =>
    fc.constantFrom('x', 'ệ', '😀', '\u0000', "'").map((unit) => unit.repeat(Math.ceil(length / unit.length)))
  /** A value the schema should refuse: wrong type, out of limits, missing or extra fields, nasty strings. */
  function bad (node: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const schema = resolve(node)
    const nasty = fc.oneof(sqlInjection, unicode, wrongType)
    if (depth > 6) return nasty
    if (Array.isArray(schema.anyOf) || Array.isArray(schema.enum) || 'const' in schema) {
      return fc.oneof(nasty, fc.constantFrom('ADMIN', 'Resolved', 'open ', 'csv\u0000', 'hour; drop', 'week', 'year', 'satisfied'))
    }
    switch (schema.type) {
      case 'object': {
        const properties: Record<string, JsonSchema> = schema.properties ?? {}
        const names = Object.keys(properties)
        const base = valid(schema, depth) as fc.Arbitrary<Record<string, unknown>>
        const options: Array<fc.Arbitrary<unknown>> = [
          nasty,
          fc
            .tuple(
              base,
              fc.constantFrom(
                '__proto__',
                'constructor',
                'prototype',
                'extra',
                'isAdmin',
                'role',
                'unitId',
                'id',
                '',
                ' ',
                '\u0000',
                'a'.repeat(1000)
              ),
              fc.oneof(nasty, fc.constant({ admin: true }))
            )
            .map(([value, key, extra]) =>
              Object.defineProperty({ ...value }, key, { value: extra, enumerable: true, configurable: true, writable: true })
            ),
          fc.constant({})
        ]
        if (names.length > 0) {
          options.push(
            fc.tuple(base, fc.constantFrom(...names)).map(([value, name]) => {
              const copy = { ...value }
              delete copy[name]
              return copy
            })
          )
          options.push(
            fc
              .constantFrom(...names)
              .chain((name) => fc.tuple(base, bad(properties[name]!, depth + 1)).map(([value, wrong]) => ({ ...value, [name]: wrong })))
          )
          options.push(
            fc
              .constantFrom(...names)
              .chain((name) => fc.tuple(base, bad(properties[name]!, depth + 1)).map(([value, wrong]) => ({ ...value, [name]: wrong })))
          )
        }
        return fc.oneof(...options)
      }
      case 'array': {
        const item = valid(schema.items ?? {}, depth + 1)
        const max = schema.maxItems ?? 1000
        return fc.oneof(
          nasty,
          fc.constant([]),
          item.map((value) => Array.from({ length: max + 1 }, () => value)),
          item.map((value) => Array.from({ length: 10_000 }, () => value)),
          fc.array(bad(schema.items ?? {}, depth + 1), { minLength: 1, maxLength: 3 }),
          fc.tuple(fc.array(item, { maxLength: 2 }), bad(schema.items ?? {}, depth + 1)).map(([items, wrong]) => [...items, wrong])
        )
      }
      case 'string': {
        const options: Array<fc.Arbitrary<unknown>> = [
          sqlInjection,
          unicode,
          wrongType,
          longString((schema.maxLength ?? 10_000) + 1),
          longString(100_000)
        ]
        if ((schema.minLength ?? 0) > 0) options.push(fc.constant('x'.repeat(schema.minLength - 1)))
        if (schema.format === 'uuid') options.push(badUuid)
        if (schema.format === 'date-time' || schema.format === 'date') {
          options.push(
            fc.constantFrom(
              '2026-02-30',
              '2026-13-01',
              '0000-00-00',
              '99999-01-01',
              '2026-11-27T25:00:00Z',
              '2026-11-27T08:00:00',
              'yesterday',
              '1e10',
              '-1',
              '2026-11-27T08:00:00+99:00'
            )
          )
        }
        return fc.oneof(...options)
      }
      case 'integer':
      case 'number':
        return fc.oneof(
          oddNumber,
          wrongType,
          fc.constant((schema.minimum ?? 0) - 1),
          fc.constant((schema.maximum ?? 2 ** 31) + 1),
          fc.constantFrom('1', '01', '1.0', ' 1', '0x1')
        )
      case 'boolean':
        return fc.oneof(wrongType, fc.constantFrom('yes', 'TRUE', 'tru', 1, 0, 2, 'on'))
      default:
        return nasty
    }
  }

  // ---- requests ----------------------------------------------------------------------------------------------
  interface FuzzRequest {
    operation: string
    kind: string
    method: string
    url: string
    headers: Record<string, string>
    payload?: string | Buffer
    credentials: 'normal' | 'none' | 'garbage' | 'apiToken'
  }

  /** encodeURIComponent, but lone surrogates become the percent-encoded bytes of their code unit (invalid UTF-8) instead of throwing. */
  const encode = (value: string): string => {
    try {
      return encodeURIComponent(value)
    } catch {
      return [...value]
        .map((char) => {
          try {
            return encodeURIComponent(char)
          } catch {
            return (
              '%' +
              (0xed).toString(16) +
              '%' +
              (0xa0 | ((char.charCodeAt(0) >> 6) & 0x1f)).toString(16) +
              '%' +
              (0x80 | (char.charCodeAt(0) & 0x3f)).toString(16)
            )
          }
        })
        .join('')
    }
  }
  const queryValue = (value: unknown): string =>
    typeof value === 'string' ? value : value === null ? 'null' : (JSON.stringify(value) ?? '')
  function queryString (entries: Record<string, unknown>): string {
    const parts: string[] = []
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const each of value.slice(0, 50)) parts.push(`${encode(key)}=${encode(queryValue(each))}`)
      else if (value !== null && typeof value === 'object') {
        for (const [sub, each] of Object.entries(value)) parts.push(`${encode(key)}[${encode(sub)}]=${encode(queryValue(each))}`)
      } else parts.push(`${encode(key)}=${encode(queryValue(value))}`)
    }
    return parts.length === 0 ? '' : `?${parts.join('&')}`
  }

  const rawPathSegments = fc.constantFrom(
    '%zz',
    '%',
    '%00',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e',
    'a%2Fb',
    '%C0%AE',
    '%ED%A0%80',
    '%F0%9F%98%80',
    'x'.repeat(5000),
    '%20',
    '%27%20OR%201%3D1--'
  )
  const rawQueries = fc.constantFrom(
    '?%zz=1',
    '?unitId=%zz',
    '?&&&=&=',
    '?unitId[$ne]=x',
    '?unitId[]=a&unitId[]=b',
    '?from=2026-11-01&from=2026-11-02',
    `?${'a=1&'.repeat(2000)}`,
    '?unitId=' + 'x'.repeat(20000),
    '?%00=%00',
    '?__proto__[admin]=true',
    '?constructor[prototype][admin]=1',
    '?format=csv&lang=%E2%80%AE',
    '?includeMisuse=maybe',
    '?limit=-1',
    '?limit=1e9'
  )
  const malformedJson = fc.constantFrom(
    '{',
    '}',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    '{a:1}',
    '[1,2',
    'nul',
    'tru',
    'NaN',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":1}{"b":2}',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '{"a":"\\ud800"}',
    '"\\u0000"',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"a":1e999}',
    '{"a":-}',
    '/* comment */ {}',
    '\ufeff{}',
    '[]',
    'null',
    '0',
    '"string"',
    'true',
    '[' + '['.repeat(5000) + ']'.repeat(5000) + ']',
    '{"a":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3001)
  )
  const contentTypes = fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/json; charset=utf-16',
    'application/jsonx',
    'json',
    ';;;',
    'application/json; charset=latin1',
    'application/json;charset=UTF-8',
    'APPLICATION/JSON',
    'text/csv',
    'application/octet-stream',
    '*/*'
  )

  function request (operation: Operation): fc.Arbitrary<FuzzRequest> {
    const pathParams = operation.parameters.filter((parameter) => parameter.in === 'path')
    const queryParams = operation.parameters.filter((parameter) => parameter.in === 'query')
    const querySchema: JsonSchema = {
      type: 'object',
      properties: Object.fromEntries(
        queryParams.map((parameter) => [
          parameter.name,
          { ...parameter.schema, ...(parameter.example === undefined ? {} : { examples: [parameter.example] }) }
        ])
      ),
      required: queryParams.filter((parameter) => parameter.required).map((parameter) => parameter.name)
    }
    const bodySchema = operation.body === null ? null : (bodyHints[operation.key]?.(operation.body) ?? operation.body)
    const validPath = fc.record(
      Object.fromEntries(pathParams.map((parameter) => [parameter.name, valid(parameter.schema).map((value) => encode(String(value)))]))
    )
    const validQuery = (valid(querySchema) as fc.Arbitrary<Record<string, unknown>>).map(queryString)
    const validBody = bodySchema === null ? fc.constant(undefined) : valid(bodySchema).map((value) => JSON.stringify(value))
    const base = { operation: operation.key, method: operation.method, credentials: 'normal' as const }
    const json = { 'content-type': 'application/json' }
    const kinds: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }> = []
    const add = (
      weight: number,
      kind: string,
      arbitrary: fc.Arbitrary<Omit<FuzzRequest, 'operation' | 'method' | 'credentials' | 'kind'> & Partial<FuzzRequest>>
    ): void => {
      kinds.push({ weight, arbitrary: arbitrary.map((value) => ({ ...base, kind, ...value })) })
    }
    const urlWith = (path: Record<string, string>, query: string): string => fillPath(operation.path, path) + query
    add(
      2,
      'valid-ish',
      fc
        .tuple(validPath, validQuery, validBody)
        .map(([path, query, payload]) => ({ url: urlWith(path, query), headers: payload === undefined ? {} : json, payload }))
    )
    if (bodySchema !== null) {
      add(
        12,
        'bad body',
        fc
          .tuple(validPath, validQuery, bad(bodySchema))
          .map(([path, query, value]) => ({ url: urlWith(path, query), headers: json, payload: JSON.stringify(value) ?? 'undefined' }))
      )
      add(
        3,
        'malformed json',
        fc.tuple(validPath, malformedJson).map(([path, payload]) => ({ url: urlWith(path, ''), headers: json, payload }))
      )
      add(
        2,
        'wrong content type',
        fc
          .tuple(validPath, validBody, contentTypes)
          .map(([path, payload, type]) => ({
            url: urlWith(path, ''),
            headers: { 'content-type': type },
            payload: type.startsWith('application/x-www') ? 'name=a&unitId=b' : payload
          }))
      )
      add(
        1,
        'invalid utf-8 body',
        fc
          .tuple(validPath, fc.constantFrom([0xff, 0xfe], [0xc0, 0xae], [0xed, 0xa0, 0x80], [0x80]))
          .map(([path, bytes]) => ({
            url: urlWith(path, ''),
            headers: json,
            payload: Buffer.concat([Buffer.from('{"name":"'), Buffer.from(bytes), Buffer.from('"}')])
          }))
      )
      add(
        1,
        'oversized body',
        fc
          .tuple(validPath, fc.constantFrom(256 * 1024 + 1, 400_000, 2_000_000))
          .map(([path, size]) => ({ url: urlWith(path, ''), headers: json, payload: `{"name":"${'x'.repeat(size)}"}` }))
      )
      add(
        1,
        'empty body',
        validPath.map((path) => ({ url: urlWith(path, ''), headers: json, payload: '' }))
      )
    } else if (operation.method !== 'GET') {
      add(
        2,
        'unexpected body',
        fc
          .tuple(
            validPath,
            fc.oneof(
              malformedJson,
              wrongType.map((value) => JSON.stringify(value))
            )
          )
          .map(([path, payload]) => ({ url: urlWith(path, ''), headers: json, payload }))
      )
    }
    if (pathParams.length > 0) {
      add(
        5,
        'bad path param',
        fc
          .tuple(
            fc.constantFrom(...pathParams.map((parameter) => parameter.name)),
            fc.oneof(badUuid.map(encode), rawPathSegments),
            validPath,
            validBody
          )
          .map(([name, value, path, payload]) => ({
            url: urlWith({ ...path, [name]: value }, ''),
            headers: payload === undefined ? {} : json,
            payload
          }))
      )
    }
    if (queryParams.length > 0) {
      add(
        5,
        'bad query',
        fc.tuple(validPath, bad(querySchema), validBody).map(([path, query, payload]) => ({
          url: urlWith(
            path,
            query !== null && typeof query === 'object' && !Array.isArray(query)
              ? queryString(query as Record<string, unknown>)
              : `?${encode(queryValue(query))}`
          ),
          headers: payload === undefined ? {} : json,
          payload
        }))
      )
    }
    add(
      2,
      'raw query string',
      fc
        .tuple(validPath, rawQueries, validBody)
        .map(([path, query, payload]) => ({ url: urlWith(path, query), headers: payload === undefined ? {} : json, payload }))
    )
    add(
      2,
      'bad credentials',
      fc
        .tuple(validPath, validQuery, validBody, fc.constantFrom('none', 'garbage', 'apiToken') as fc.Arbitrary<FuzzRequest['credentials']>)
        .map(([path, query, payload, credentials]) => ({
          url: urlWith(path, query),
          headers: payload === undefined ? {} : json,
          payload,
          credentials
        }))
    )
    add(
      1,
      'bad headers',
      fc
        .tuple(
          validPath,
          validBody,
          fc.constantFrom<Record<string, string>>(
            { origin: 'https://evil.example' },
            { origin: 'null' },
            { 'content-length': '999999' },
            { 'content-length': '-1' },
            { accept: 'text/csv' },
            { 'x-forwarded-for': "' OR 1=1 --" },
            { 'accept-language': '\u00ff'.repeat(100) },
            { 'content-encoding': 'gzip' },
            { 'transfer-encoding': 'chunked' }
          )
        )
        .map(([path, payload, headers]) => ({
          url: urlWith(path, ''),
          headers: { ...(payload === undefined ? {} : json), ...headers },
          payload
        }))
    )
    return fc.oneof(...kinds)
  }

  const anyRequest = fc.oneof(...operations.map(request))

  // ---- sending and checking ----------------------------------------------------------------------------------
  const fingerprint = await fingerprinter(app.db)
  t.ok(fingerprint.tables.length >= 13, `fingerprinting ${fingerprint.tables.length} tables`)
  const terminalOnly = (operation: string): boolean => {
    const found = operations.find((each) => each.key === operation)!
    return found.security.length > 0 && found.security.every((name) => name === 'bearer') && !found.path.startsWith('/api/v1/stats')
  }
  const garbageCredentials = [
    { authorization: 'Bearer hlt_' + 'A'.repeat(43) },
    { authorization: 'Basic YWRtaW46YWRtaW4=' },
    { authorization: 'Bearer' },
    { authorization: `Bearer ${"' OR 1=1 --"}` },
    { authorization: 'Bearer ' + 'x'.repeat(10_000) },
    { cookie: 'hl_session=hls_forged' },
    { cookie: `hl_session=${"'; drop table sessions; --"}` },
    { cookie: 'hl_session=' }
  ]

  function send (spec: FuzzRequest, index: number): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...spec.headers }
    if (spec.credentials === 'normal') {
      if (terminalOnly(spec.operation)) headers.authorization = `Bearer ${a.terminal.token}`
      else headers.cookie = `hl_session=${session}`
    } else if (spec.credentials === 'apiToken') {
      headers.authorization = `Bearer ${apiToken}`
    } else if (spec.credentials === 'garbage') {
      Object.assign(headers, garbageCredentials[index % garbageCredentials.length])
    }
    const options: InjectOptions = { method: spec.method as InjectOptions['method'], url: spec.url, headers, remoteAddress: nextIp() }
    if (spec.payload !== undefined) options.payload = spec.payload
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 15 s')), 15_000)
    })
    return Promise.race([app.inject(options), timeout]).finally(() => clearTimeout(timer))
  }

  /** After an accepted request, background work (rollups, listeners) may still write: wait until the database is still. */
  async function settle (): Promise<Snapshot> {
    await app.rollups.drain()
    let last = await fingerprint.take()
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      const next = await fingerprint.take()
      if (changedTables(last, next).length === 0) return next
      last = next
    }
    return last
  }

  const describe = (spec: FuzzRequest, index: number): string => {
    const payload =
      spec.payload === undefined
        ? ''
        : ` body ${JSON.stringify(String(spec.payload).slice(0, 300))}${String(spec.payload).length > 300 ? `… (${String(spec.payload).length} chars)` : ''}`
    return `#${index} [${spec.kind}, ${spec.credentials}] ${spec.method} ${spec.url.slice(0, 300)}${payload}`
  }

  const failures = {
    serverErrors: [] as string[],
    uncoded: [] as string[],
    changedRows: [] as string[],
    leakedStack: [] as string[],
    unsendable: [] as string[]
  }
  const byStatus = new Map<number, number>()
  const byCode = new Map<string, number>()
  const byOperation = new Map<string, { sent: number; rejected: number }>()
  const timing = new Map<string, number[]>()
  const phase = { generate: 0, inject: 0, digest: 0, settle: 0 }
  let rejected = 0
  let accepted = 0
  let snapshot = await fingerprint.take()
  const started = Date.now()

  /** Sends one request and checks it: no 5xx, a coded 4xx, no row changed unless it was an accepted write. */
  async function exercise (spec: FuzzRequest, index: number): Promise<void> {
    // Wrong PINs are counted on the officer by design; every other rejection leaves every row as it was.
    const ignore = spec.operation === 'PUT /api/v1/terminal/officer' ? pinBookkeeping : null
    const before = ignore === null ? snapshot : await fingerprint.take(ignore)
    let response: LightMyRequestResponse
    const sentAt = performance.now()
    try {
      response = await send(spec, index)
      phase.inject += performance.now() - sentAt
    } catch (error) {
      failures.unsendable.push(`${describe(spec, index)} → ${(error as Error).message}`)
      snapshot = await settle()
      return
    }
    const status = response.statusCode
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
    const counts = byOperation.get(spec.operation) ?? { sent: 0, rejected: 0 }
    counts.sent++
    byOperation.set(spec.operation, counts)
    if (status >= 500) failures.serverErrors.push(`${describe(spec, index)} → ${status} ${response.body.slice(0, 300)}`)
    if (status >= 400) {
      rejected++
      counts.rejected++
      let code: unknown
      try {
        code = response.json().code
      } catch {
        code = undefined
      }
      if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) { failures.uncoded.push(`${describe(spec, index)} → ${status} ${JSON.stringify(response.body.slice(0, 200))}`) } else byCode.set(code, (byCode.get(code) ?? 0) + 1)
      if (/\n\s+at |node_modules|\.ts:\d+/.test(response.body)) {
        failures.leakedStack.push(`${describe(spec, index)} → ${response.body.slice(0, 300)}`)
      }
    } else {
      accepted++
    }
    if (status >= 400 || spec.method === 'GET') {
      // A rejected request changes nothing; nor does a read, whatever it answers.
      const digestAt = performance.now()
      const after = await fingerprint.take(ignore ?? {})
      phase.digest += performance.now() - digestAt
      const changed = changedTables(before, after)
      if (changed.length > 0) failures.changedRows.push(`${describe(spec, index)} → ${status} changed ${changed.join(', ')}`)
      snapshot = ignore === null ? after : await fingerprint.take()
    } else {
      if (spec.operation === 'POST /api/v1/auth/logout' || spec.operation.startsWith('PATCH /api/v1/users')) {
        if ((await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: session } })).statusCode !== 200) await signIn()
      }
      const settleAt = performance.now()
      snapshot = await settle()
      phase.settle += performance.now() - settleAt
    }
    const spent = timing.get(`${spec.operation} ${spec.kind}`) ?? [0, 0]
    timing.set(`${spec.operation} ${spec.kind}`, [spent[0]! + 1, spent[1]! + performance.now() - sentAt])
  }

  for (let chunk = 0; chunk * CHUNK < RUNS; chunk++) {
    const generatedAt = performance.now()
    const specs = fc.sample(anyRequest, { seed: SEED + chunk, numRuns: Math.min(CHUNK, RUNS - chunk * CHUNK) })
    phase.generate += performance.now() - generatedAt
    for (const [offset, spec] of specs.entries()) await exercise(spec, chunk * CHUNK + offset)
  }
  const seconds = (Date.now() - started) / 1000

  // Then a sweep, so that no text field is left to chance: every string in a complete body, and every query parameter,
  // of every operation set in turn to the values that most often break a server (the first fuzz found a NUL this way).
  const nastiest = ['a\u0000b', '\ud800', "'; DROP TABLE units; --", 'x'.repeat(100_000)]
  const stringPaths = (value: unknown, path: Array<string | number> = []): Array<Array<string | number>> =>
    typeof value === 'string'
      ? [path]
      : Array.isArray(value)
        ? value.flatMap((item, index) => stringPaths(item, [...path, index]))
        : value !== null && typeof value === 'object'
          ? Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]))
          : []
  const replaced = (value: unknown, path: Array<string | number>, by: string): unknown => {
    if (path.length === 0) return by
    const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) }
    copy[path[0]!] = replaced(copy[path[0]!], path.slice(1), by)
    return copy
  }
  let swept = 0
  for (const operation of operations) {
    // An id of the kind the path names (/api/v1/alert-rules/{id} → alert_rules), so handlers run past their look-up.
    const table = /\/([a-z-]+)\/\{id\}/.exec(operation.path)?.[1]?.replace(/-/g, '_')
    const url = fillPath(operation.path, { id: (table === undefined ? undefined : poolByTable.get(table)?.[0]) ?? pool[0]! })
    const bodySchema = operation.body === null ? null : (bodyHints[operation.key]?.(operation.body) ?? operation.body)
    const requests: Array<Omit<FuzzRequest, 'operation' | 'method' | 'credentials'>> = []
    if (bodySchema !== null) {
      const [complete] = fc.sample(valid(bodySchema, 0, true), { seed: SEED, numRuns: 1 })
      for (const path of stringPaths(complete)) {
        for (const value of nastiest) {
          requests.push({
            kind: `sweep body ${path.join('.')}`,
            url,
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify(replaced(complete, path, value))
          })
        }
      }
    }
    for (const parameter of operation.parameters.filter((each) => each.in === 'query')) {
      for (const value of nastiest.slice(0, 3)) {
        requests.push({ kind: `sweep query ${parameter.name}`, url: `${url}?${encode(parameter.name)}=${encode(value)}`, headers: {} })
      }
    }
    for (const request of requests) {
      await exercise({ ...request, operation: operation.key, method: operation.method, credentials: 'normal' }, RUNS + swept++)
    }
  }
  t.comment(`sweep: ${swept} requests, one nasty value in one field each`)
  t.ok(swept > operations.length, 'the sweep reached every operation with a body or a query')

  if (process.env.FUZZ_TIMING !== undefined) t.comment(JSON.stringify(phase))
  if (process.env.FUZZ_TIMING !== undefined) {
    for (const [key, [count, ms]] of [...timing].sort((x, y) => y[1][1]! - x[1][1]!).slice(0, 25)) {
      t.comment(`${(ms ?? 0).toFixed(0)} ms ${count}× ${key}`)
    }
  }

  t.comment(
    `${RUNS} random requests in ${seconds.toFixed(1)} s (${(RUNS / seconds).toFixed(0)}/s), then ${swept} sweep requests in ${((Date.now() - started) / 1000 - seconds).toFixed(1)} s; in all ${rejected} rejected, ${accepted} accepted`
  )
  t.comment(
    `statuses: ${[...byStatus]
      .sort((x, y) => x[0] - y[0])
      .map(([status, count]) => `${status}×${count}`)
      .join(' ')}`
  )
  t.comment(
    `codes: ${[...byCode]
      .sort((x, y) => y[1] - x[1])
      .map(([code, count]) => `${code}×${count}`)
      .join(' ')}`
  )
  const show = (list: string[]): string => list.slice(0, 8).join('\n') + (list.length > 8 ? `\n… and ${list.length - 8} more` : '')
  t.equal(failures.serverErrors.length, 0, `no 5xx\n${show(failures.serverErrors)}`)
  t.equal(failures.uncoded.length, 0, `every 4xx is a JSON error with a stable code\n${show(failures.uncoded)}`)
  t.equal(failures.changedRows.length, 0, `no rejected request (nor any read) changed a row\n${show(failures.changedRows)}`)
  t.equal(failures.leakedStack.length, 0, `no error shows a stack trace or a source path\n${show(failures.leakedStack)}`)
  t.equal(failures.unsendable.length, 0, `every request got an answer\n${show(failures.unsendable)}`)
  const missed = operations.filter((operation) => (byOperation.get(operation.key)?.sent ?? 0) === 0).map((operation) => operation.key)
  if (RUNS >= operations.length * 20) {
    t.same(missed, [], 'every operation was fuzzed')
    t.ok(rejected > RUNS * 0.6, `most generated requests are rejected (${rejected} of ${RUNS})`)
  }
})
